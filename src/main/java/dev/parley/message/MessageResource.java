package dev.parley.message;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.parley.auth.CurrentUserService;
import dev.parley.auth.UserView;
import dev.parley.config.RequestLimits;
import dev.parley.problem.ParleyException;

/** History and sending over REST, for bots and integrations: the same code path as the WebSocket. */
@Path("/api/rooms/{id}/messages")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class MessageResource {

    private final MessageService messages;
    private final CurrentUserService currentUser;
    private final SecurityIdentity identity;

    public MessageResource(MessageService messages, CurrentUserService currentUser, SecurityIdentity identity) {
        this.messages = messages;
        this.currentUser = currentUser;
        this.identity = identity;
    }

    /** {@code replyTo}: the seq of the message of the room this one answers. */
    public record SendRequest(String text, String clientMsgId, Long replyTo) {
    }

    // Query parameters arrive as text and are parsed by RequestLimits (a 400 for "limit=abc").
    @GET
    @APIResponse(responseCode = "200", description = "A page of messages, ascending by seq, each in its current state", content = @Content(schema = @Schema(implementation = HistoryPage.class), examples = @ExampleObject(name = "historyPage", ref = "historyPage")))
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", ref = "NotFound")
    public Uni<HistoryPage> history(@PathParam("id") String room, @QueryParam("before") String before,
            @QueryParam("after") String after, @QueryParam("limit") String limit, @QueryParam("replyTo") String replyTo) {
        Long beforeSeq;
        Long afterSeq;
        Long replyToSeq;
        Integer pageSize;
        try {
            beforeSeq = RequestLimits.integerParam("before", before);
            afterSeq = RequestLimits.integerParam("after", after);
            replyToSeq = RequestLimits.integerParam("replyTo", replyTo);
            pageSize = RequestLimits.pageParam(limit);
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        return caller().chain(user -> messages.history(user, room, beforeSeq, afterSeq, pageSize, replyToSeq));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "The message, committed; event message", content = @Content(schema = @Schema(implementation = MessageView.class), examples = @ExampleObject(name = "message", ref = "message")))
    @APIResponse(responseCode = "200", description = "The original message, on a clientMsgId retry", content = @Content(schema = @Schema(implementation = MessageView.class), examples = @ExampleObject(name = "message", ref = "message")))
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such room, or replyTo names no message of it", ref = "NotFound")
    public Uni<RestResponse<MessageView>> send(@PathParam("id") String room, @Valid @NotNull SendRequest request) {
        return caller().chain(user -> messages.send(user, room, request.text(), request.clientMsgId(), request.replyTo()))
                .map(sent -> RestResponse.status(sent.created() ? Response.Status.CREATED : Response.Status.OK,
                        sent.message()));
    }

    private Uni<UserView> caller() {
        return currentUser.resolve(identity);
    }
}

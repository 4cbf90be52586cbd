package dev.parley.bot;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.parley.auth.CurrentUserService;

@Path("/api/bots")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class BotResource {

    private final BotService bots;
    private final CurrentUserService currentUser;
    private final SecurityIdentity identity;

    public BotResource(BotService bots, CurrentUserService currentUser, SecurityIdentity identity) {
        this.bots = bots;
        this.currentUser = currentUser;
        this.identity = identity;
    }

    /** A bot account owned by the caller, and its token, shown this once. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "The bot and its token, and with a webhook its secret (never shown again)", content = @Content(schema = @Schema(implementation = BotRequests.Created.class), examples = @ExampleObject(name = "botCreated", ref = "botCreated")))
    @APIResponse(responseCode = "403", description = "The caller is a bot", ref = "Forbidden")
    public Uni<RestResponse<BotRequests.Created>> create(@Valid @NotNull BotRequests.Create request) {
        return currentUser.resolve(identity).chain(user -> bots.create(user, request))
                .map(created -> RestResponse.ResponseBuilder.create(Response.Status.CREATED, created)
                        .header("Cache-Control", "no-store").build());
    }

    @GET
    @APIResponse(responseCode = "200", description = "The caller's bots, oldest first (no tokens, no secrets)", content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = BotRequests.BotView.class), examples = @ExampleObject(name = "bots", ref = "bots")))
    public Uni<List<BotRequests.BotView>> list() {
        return currentUser.resolve(identity).chain(bots::list);
    }

    /** Revokes the bot: its token stops working at once (REST 401) and its sockets close with 1008 everywhere. */
    @DELETE
    @Path("/{id}")
    @APIResponse(responseCode = "204", description = "Revoked")
    @APIResponse(responseCode = "404", description = "Not a bot of the caller's, or already revoked", ref = "NotFound")
    public Uni<RestResponse<Void>> revoke(@PathParam("id") String id) {
        return currentUser.resolve(identity).chain(user -> bots.revoke(user, id)).map(v -> RestResponse.noContent());
    }
}

package dev.parley.message;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.parley.auth.CurrentUserService;
import dev.parley.config.RequestLimits;
import dev.parley.problem.ParleyException;

@Path("/api/search")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class SearchResource {

    private final MessageSearch search;
    private final CurrentUserService currentUser;
    private final SecurityIdentity identity;

    public SearchResource(MessageSearch search, CurrentUserService currentUser, SecurityIdentity identity) {
        this.search = search;
        this.currentUser = currentUser;
        this.identity = identity;
    }

    /**
     * Messages whose current text matches {@code q} (words, "a phrase", -excluded, or), newest
     * first, in the rooms the caller may read, or in {@code room}; {@code before} takes the previous
     * page's {@code next}.
     */
    @GET
    @APIResponse(responseCode = "200", description = "A page of results, newest first", content = @Content(schema = @Schema(implementation = MessageSearch.Page.class), examples = @ExampleObject(
            name = "results", value = "{\"results\":[{\"room\":\"5f0c2a4e-8d1b-4c55-9a0e-2f1d6c3b7a90\",\"message\":{\"room\":"
                    + "\"5f0c2a4e-8d1b-4c55-9a0e-2f1d6c3b7a90\",\"seq\":44,\"user\":{\"id\":\"9b1…\",\"username\":\"alice\","
                    + "\"name\":\"Alice\",\"bot\":false},\"text\":\"the release is out\",\"ts\":\"2026-11-24T18:38:00.250Z\"}}],"
                    + "\"hasMore\":true,\"next\":\"NWYwYzJhNGUtOGQxYi00YzU1LTlhMGUtMmYxZDZjM2I3YTkwOjQ0\"}")))
    @APIResponse(responseCode = "403", description = "room is a room the caller may not read", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such room", ref = "NotFound")
    @APIResponse(responseCode = "413", description = "q is over 200 characters", ref = "TooLarge")
    public Uni<MessageSearch.Page> search(@QueryParam("q") String q, @QueryParam("room") String room,
            @QueryParam("limit") String limit, @QueryParam("before") String before) {
        Integer pageSize;
        try {
            pageSize = RequestLimits.pageParam(limit);
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        return currentUser.resolve(identity).chain(user -> search.search(user, q, room, pageSize, before));
    }
}

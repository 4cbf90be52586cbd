package dev.parley.room;

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

/**
 * Bans and mutes of a room, for its owner and admins: {@code /bans} and {@code /mutes} take the
 * same requests (a mute must say {@code minutes}).
 */
@Path("/api/rooms/{id}/{kind: bans|mutes}")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class ModerationResource {

    private final ModerationService moderation;
    private final CurrentUserService currentUser;
    private final SecurityIdentity identity;

    public ModerationResource(ModerationService moderation, CurrentUserService currentUser, SecurityIdentity identity) {
        this.moderation = moderation;
        this.currentUser = currentUser;
        this.identity = identity;
    }

    @GET
    @APIResponse(responseCode = "200", description = "The bans (or mutes) in force, the newest first; owner and admins", content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = RoomRequests.SanctionView.class), examples = @ExampleObject(name = "sanctions", ref = "sanctions")))
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", ref = "NotFound")
    public Uni<List<RoomRequests.SanctionView>> list(@PathParam("id") String id, @PathParam("kind") String kind) {
        return currentUser.resolve(identity).chain(user -> moderation.list(user, id, kindOf(kind)));
    }

    /**
     * A ban removes the user (member.left, reason banned) and keeps them out until lifted or
     * {@code minutes} pass; a mute lets them read but not send, edit or react for {@code minutes}.
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "204", description = "Given (given again: replaced)")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", ref = "NotFound")
    public Uni<RestResponse<Void>> give(@PathParam("id") String id, @PathParam("kind") String kind,
            @Valid @NotNull RoomRequests.Sanctioning request) {
        return currentUser.resolve(identity).chain(user -> moderation.give(user, id, kindOf(kind), request))
                .map(o -> RestResponse.noContent());
    }

    @DELETE
    @Path("/{username}")
    @APIResponse(responseCode = "204", description = "Lifted")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", ref = "NotFound")
    public Uni<RestResponse<Void>> lift(@PathParam("id") String id, @PathParam("kind") String kind,
            @PathParam("username") String username) {
        return currentUser.resolve(identity).chain(user -> moderation.lift(user, id, username, kindOf(kind)))
                .map(v -> RestResponse.noContent());
    }

    private static String kindOf(String path) {
        return "bans".equals(path) ? Sanction.BAN : Sanction.MUTE;
    }
}

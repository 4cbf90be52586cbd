package dev.parley.room;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
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

/** Direct messages: the one room of two users, made on first use. */
@Path("/api/dms")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class DirectRoomResource {

    private final RoomService rooms;
    private final CurrentUserService currentUser;
    private final SecurityIdentity identity;

    public DirectRoomResource(RoomService rooms, CurrentUserService currentUser, SecurityIdentity identity) {
        this.rooms = rooms;
        this.currentUser = currentUser;
        this.identity = identity;
    }

    private static final String DIRECT_ROOM = "{\"id\":\"9a1d0c6e-4b7f-4e2a-8c3d-1f5e6a7b8c9d\",\"name\":\"Bob\","
            + "\"visibility\":\"direct\",\"topic\":null,\"createdAt\":\"2026-11-24T18:00:00.000Z\",\"lastSeq\":0,"
            + "\"role\":\"member\",\"readSeq\":0,\"unread\":0,\"mentions\":0}";

    @Schema(name = "DirectRoomRequest")
    public record Open(@NotBlank String username) {
    }

    /** 201 with the room when this call created it, 200 with the same room ever after (from either side). */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "The direct room, created by this call", content = @Content(schema = @Schema(implementation = RoomView.class), examples = @ExampleObject(
            name = "direct", value = DIRECT_ROOM)))
    @APIResponse(responseCode = "200", description = "The same room on every later call, from either side",
            content = @Content(schema = @Schema(implementation = RoomView.class), examples = @ExampleObject(name = "direct", value = DIRECT_ROOM)))
    @APIResponse(responseCode = "404", description = "No such user", ref = "NotFound")
    public Uni<RestResponse<RoomView>> open(@Valid @NotNull Open request) {
        return currentUser.resolve(identity).chain(user -> rooms.direct(user, request.username()))
                .map(direct -> RestResponse.status(direct.created() ? Response.Status.CREATED : Response.Status.OK,
                        direct.room()));
    }
}

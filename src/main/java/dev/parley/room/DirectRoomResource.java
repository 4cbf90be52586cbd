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

    public record Open(@NotBlank String username) {
    }

    /** 201 with the room when this call created it, 200 with the same room ever after (from either side). */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<RoomView>> open(@Valid @NotNull Open request) {
        return currentUser.resolve(identity).chain(user -> rooms.direct(user, request.username()))
                .map(direct -> RestResponse.status(direct.created() ? Response.Status.CREATED : Response.Status.OK,
                        direct.room()));
    }
}

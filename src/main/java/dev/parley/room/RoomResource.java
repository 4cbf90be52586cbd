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
import jakarta.ws.rs.QueryParam;
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
import dev.parley.auth.UserView;
import dev.parley.config.RequestLimits;
import dev.parley.problem.ParleyException;

@Path("/api/rooms")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class RoomResource {

    private final RoomService rooms;
    private final CurrentUserService currentUser;
    private final SecurityIdentity identity;

    public RoomResource(RoomService rooms, CurrentUserService currentUser, SecurityIdentity identity) {
        this.rooms = rooms;
        this.currentUser = currentUser;
        this.identity = identity;
    }

    @GET
    @APIResponse(responseCode = "200", description = "A page of the public rooms and the caller's private and direct rooms, oldest first, "
            + "with the caller's read marker, unread and mention counts: the first limit (default 100, at most 500) "
            + "after the room named by after (the last id of the previous page); a page shorter than limit is the last", content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = RoomView.class), examples = @ExampleObject(name = "rooms", ref = "rooms")))
    public Uni<List<RoomView>> list(@QueryParam("after") String after, @QueryParam("limit") String limit) {
        Integer pageSize;
        try {
            pageSize = RequestLimits.pageParam(limit);
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        String cursor = after == null || after.isEmpty() ? null : after;
        return caller().chain(user -> rooms.list(user, cursor, pageSize));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "The room; the caller is its owner", content = @Content(schema = @Schema(implementation = RoomView.class), examples = @ExampleObject(name = "room", ref = "room")))
    @APIResponse(responseCode = "409", description = "A public room with this name exists (case-insensitive)", ref = "Conflict")
    public Uni<RestResponse<RoomView>> create(@Valid @NotNull RoomRequests.Create request) {
        return caller().chain(user -> rooms.create(user, request))
                .map(room -> RestResponse.status(Response.Status.CREATED, room));
    }

    @GET
    @Path("/{id}")
    @APIResponse(responseCode = "200", description = "The room: any user for a public room, members for a private one", content = @Content(schema = @Schema(implementation = RoomView.class), examples = @ExampleObject(name = "room", ref = "room")))
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", ref = "NotFound")
    public Uni<RoomView> get(@PathParam("id") String id) {
        return caller().chain(user -> rooms.get(user, id));
    }

    @DELETE
    @Path("/{id}")
    @APIResponse(responseCode = "204", description = "Deleted, owner only; event room.deleted")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", ref = "NotFound")
    public Uni<RestResponse<Void>> delete(@PathParam("id") String id) {
        return caller().chain(user -> rooms.delete(user, id)).map(v -> RestResponse.noContent());
    }

    /**
     * A page of the room's members and roles, by username, for whoever may read the room: the first
     * {@code limit} (default 100, at most 500) whose username sorts after {@code after}.
     */
    @GET
    @Path("/{id}/members")
    @APIResponse(responseCode = "200", description = "A page of the members, by username", content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = RoomRequests.MemberView.class), examples = @ExampleObject(name = "members", ref = "members")))
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", ref = "NotFound")
    public Uni<List<RoomRequests.MemberView>> members(@PathParam("id") String id, @QueryParam("after") String after,
            @QueryParam("limit") String limit) {
        Integer pageSize;
        try {
            pageSize = RequestLimits.pageParam(limit);
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        return caller().chain(user -> rooms.members(user, id, after, pageSize));
    }

    @POST
    @Path("/{id}/members")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "A new member; event member.joined", content = @Content(schema = @Schema(implementation = RoomRequests.MemberView.class), examples = @ExampleObject(name = "member", ref = "member")))
    @APIResponse(responseCode = "200", description = "Already a member (the role changed when given)", content = @Content(schema = @Schema(implementation = RoomRequests.MemberView.class), examples = @ExampleObject(name = "member", ref = "member")))
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", ref = "NotFound")
    @APIResponse(responseCode = "409", description = "The user is banned from the room", ref = "Conflict")
    public Uni<RestResponse<RoomRequests.MemberView>> addMember(@PathParam("id") String id,
            @Valid @NotNull RoomRequests.Invite request) {
        return caller().chain(user -> rooms.addMember(user, id, request))
                .map(added -> RestResponse.status(added.created() ? Response.Status.CREATED : Response.Status.OK,
                        new RoomRequests.MemberView(added.room(), added.user(), added.role())));
    }

    @DELETE
    @Path("/{id}/members/{username}")
    @APIResponse(responseCode = "204", description = "Removed (or left); event member.left")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", ref = "NotFound")
    @APIResponse(responseCode = "409", description = "The owner cannot be removed", ref = "Conflict")
    public Uni<RestResponse<Void>> removeMember(@PathParam("id") String id, @PathParam("username") String username) {
        return caller().chain(user -> rooms.removeMember(user, id, username)).map(v -> RestResponse.noContent());
    }

    public record ReadRequest(Long seq) {
    }

    public record ReadMarker(String room, long seq) {
    }

    /** Moves the caller's read marker (members only); the marker now, never backwards. */
    @POST
    @Path("/{id}/read")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "The marker now (an older seq leaves it where it was); event read",
            content = @Content(schema = @Schema(implementation = ReadMarker.class), examples = @ExampleObject(name = "marker",
                    value = "{\"room\":\"5f0c2a4e-8d1b-4c55-9a0e-2f1d6c3b7a90\",\"seq\":44}")))
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", ref = "NotFound")
    public Uni<ReadMarker> read(@PathParam("id") String id, @Valid @NotNull ReadRequest request) {
        return caller().chain(user -> rooms.markRead(user, id, request.seq())).map(seq -> new ReadMarker(id, seq));
    }

    private Uni<UserView> caller() {
        return currentUser.resolve(identity);
    }
}

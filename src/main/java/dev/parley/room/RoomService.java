package dev.parley.room;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.parley.auth.UserRepository;
import dev.parley.auth.UserView;
import dev.parley.problem.ParleyException;
import dev.parley.problem.UniqueViolation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/** Rooms and their members: who may see, join, manage and delete them. */
@ApplicationScoped
public class RoomService {

    private final RoomRepository rooms;
    private final UserRepository users;
    private final RoomEvents events;

    public RoomService(RoomRepository rooms, UserRepository users, RoomEvents events) {
        this.rooms = rooms;
        this.users = users;
        this.events = events;
    }

    public Uni<RoomRequests.RoomView> create(UserView caller, RoomRequests.Create request) {
        String name = request.name().strip();
        Room room = new Room();
        room.id = UUID.randomUUID().toString();
        room.name = name;
        room.visibility = request.visibility();
        room.topic = request.topic() == null || request.topic().isBlank() ? null : request.topic().strip();
        room.createdBy = caller.id();
        room.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
        Membership owner = membership(room.id, caller.id(), Role.OWNER);
        return Panache.withTransaction(() -> room.persist().chain(() -> owner.persist()))
                .onFailure(UniqueViolation::is)
                .transform(e -> ParleyException.conflict("a public room with this name exists"))
                .chain(() -> rooms.view(caller.id(), room.id));
    }

    public Uni<List<RoomRequests.RoomView>> list(UserView caller) {
        return rooms.visibleTo(caller.id());
    }

    public Uni<RoomRequests.RoomView> get(UserView caller, String roomId) {
        return rooms.view(caller.id(), roomId).map(view -> {
            if (view == null) {
                throw ParleyException.notFound("no such room");
            }
            if (Room.PRIVATE.equals(view.visibility()) && view.role() == null) {
                throw ParleyException.forbidden("not a member of this private room");
            }
            return view;
        });
    }

    public Uni<Void> delete(UserView caller, String roomId) {
        return requireRole(caller, roomId, Role.OWNER, "only the owner deletes a room")
                .chain(access -> Panache.withTransaction(() -> Room.delete("id", roomId)))
                .invoke(() -> events.roomDeleted(roomId))
                .replaceWithVoid();
    }

    /** Invites (or promotes) a user; the answer tells whether they were already a member. */
    public Uni<Added> addMember(UserView caller, String roomId, RoomRequests.Invite request) {
        Role role = Role.parse(request.role());
        return rooms.access(caller.id(), roomId).chain(access -> {
            requireExists(access);
            if (access.role() == null || !access.role().canManageMembers()) {
                throw ParleyException.forbidden("only the owner or an admin invites");
            }
            if (role == Role.OWNER || role == Role.ADMIN && access.role() != Role.OWNER) {
                throw ParleyException.forbidden("only the owner makes admins; a room has one owner");
            }
            return Panache.withSession(() -> users.findByUsername(request.username()));
        }).chain(user -> {
            if (user == null) {
                throw ParleyException.notFound("no such user");
            }
            UserView invited = UserView.of(user);
            return Panache.withTransaction(() -> Membership.<Membership>findById(new Membership.Key(roomId, user.id))
                    .chain(existing -> {
                        if (existing != null) {
                            // an existing member keeps the owner role; others take the role asked for
                            if (request.role() != null && !existing.role.equals(Role.OWNER.wire())) {
                                existing.role = role.wire();
                            }
                            return Uni.createFrom().item(new Added(roomId, invited, existing.role, false));
                        }
                        return membership(roomId, user.id, role).persist()
                                .replaceWith(new Added(roomId, invited, role.wire(), true));
                    }));
        }).invoke(added -> {
            if (added.created()) {
                events.memberJoined(roomId, added.user());
            }
        });
    }

    public record Added(String room, UserView user, String role, boolean created) {
    }

    /** Removes a member: owners and admins remove others, anyone may leave; the owner cannot. */
    public Uni<Void> removeMember(UserView caller, String roomId, String username) {
        return rooms.access(caller.id(), roomId).chain(access -> {
            requireExists(access);
            if (access.role() == null) {
                throw ParleyException.forbidden("not a member of this room");
            }
            return Panache.withSession(() -> users.findByUsername(username)).chain(user -> {
                if (user == null) {
                    throw ParleyException.notFound("no such user");
                }
                boolean self = user.id.equals(caller.id());
                if (!self && !access.role().canManageMembers()) {
                    throw ParleyException.forbidden("only the owner or an admin removes members");
                }
                return Panache.withTransaction(() -> Membership.<Membership>findById(new Membership.Key(roomId, user.id))
                        .chain(member -> {
                            if (member == null) {
                                throw ParleyException.notFound("not a member of this room");
                            }
                            if (Role.OWNER.wire().equals(member.role)) {
                                throw ParleyException.conflict(
                                        "the owner cannot leave or be removed; delete the room instead");
                            }
                            if (!self && Role.ADMIN.wire().equals(member.role) && access.role() != Role.OWNER) {
                                throw ParleyException.forbidden("only the owner removes an admin");
                            }
                            return member.delete();
                        }))
                        .invoke(() -> events.memberLeft(roomId, UserView.of(user)));
            });
        }).replaceWithVoid();
    }

    /**
     * Opens a room for reading live and returns its newest seq: public rooms make the caller a
     * member on the way (announced with {@code member.joined}); private rooms admit members only.
     * The caller registers its live subscription first, so every message after the returned seq
     * reaches it as an event.
     */
    public Uni<Long> openForSubscription(UserView caller, String roomId) {
        return rooms.snapshot(caller.id(), roomId).chain(snapshot -> {
            if (snapshot == null) {
                throw ParleyException.notFound("no such room");
            }
            RoomAccess access = snapshot.access();
            if (access.isMember()) {
                return Uni.createFrom().item(snapshot.lastSeq());
            }
            if (!access.isPublic()) {
                throw ParleyException.forbidden("not a member of this private room");
            }
            return rooms.join(roomId, caller.id()).map(joined -> {
                if (joined) {
                    events.memberJoined(roomId, caller);
                }
                return snapshot.lastSeq();
            });
        });
    }

    private Uni<RoomAccess> requireRole(UserView caller, String roomId, Role role, String why) {
        return rooms.access(caller.id(), roomId).map(access -> {
            requireExists(access);
            if (access.role() == null && !access.isPublic()) {
                throw ParleyException.forbidden("not a member of this private room");
            }
            if (access.role() != role) {
                throw ParleyException.forbidden(why);
            }
            return access;
        });
    }

    private static void requireExists(RoomAccess access) {
        if (access == null) {
            throw ParleyException.notFound("no such room");
        }
    }

    private static Membership membership(String roomId, String userId, Role role) {
        Membership m = new Membership();
        m.roomId = roomId;
        m.userId = userId;
        m.role = role.wire();
        m.joinedAt = OffsetDateTime.now(ZoneOffset.UTC);
        return m;
    }
}

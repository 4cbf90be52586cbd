package dev.parley.room;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

import dev.parley.auth.UserRepository;
import dev.parley.auth.UserView;
import dev.parley.config.RequestLimits;
import dev.parley.limit.ActionLimits;
import dev.parley.limit.ActionLimits.Action;
import dev.parley.problem.ParleyException;
import dev.parley.problem.UniqueViolation;

/**
 * Rooms and their members. Who may do what is decided by {@link RoomAccess}; every change of
 * membership locks the room's row first, as the message write path does, so that a member removed
 * cannot post afterwards and the two never wait on each other in a circle.
 */
@ApplicationScoped
public class RoomService {

    private final RoomRepository rooms;
    private final UserRepository users;
    private final RoomEvents events;
    private final RequestLimits limits;
    private final ActionLimits actionLimits;

    public RoomService(RoomRepository rooms, UserRepository users, RoomEvents events, RequestLimits limits,
            ActionLimits actionLimits) {
        this.actionLimits = actionLimits;
        this.rooms = rooms;
        this.users = users;
        this.events = events;
        this.limits = limits;
    }

    public Uni<RoomView> create(UserView caller, RoomRequests.Create request) {
        String name = request.name().strip();
        Room room = new Room();
        room.id = UUID.randomUUID().toString();
        room.name = name;
        room.visibility = request.visibility();
        room.topic = request.topic() == null || request.topic().isBlank() ? null : request.topic().strip();
        room.createdBy = caller.id();
        room.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
        Membership owner = membership(room.id, caller.id(), Role.OWNER);
        return actionLimits.counted(Action.ROOM_CREATION, caller.id(),
                () -> Panache.withTransaction(() -> room.persist().chain(() -> owner.persist())), created -> true)
                .onFailure(UniqueViolation::is)
                .transform(e -> ParleyException.conflict("a public room with this name exists"))
                .chain(() -> rooms.view(caller.id(), room.id))
                .invoke(view -> events.roomAdded(caller.id(), view, RoomEvents.CREATED));
    }

    /** The direct room of the caller and another user, created once; {@code created} tells whether now. */
    public Uni<Direct> direct(UserView caller, String username) {
        return Panache.withSession(() -> users.findByUsername(username)).chain(other -> {
            if (other == null) {
                throw ParleyException.notFound("no such user");
            }
            if (other.id.equals(caller.id())) {
                throw ParleyException.badRequest("a direct room needs another user");
            }
            String first = caller.id().compareTo(other.id) < 0 ? caller.id() : other.id;
            String second = first.equals(caller.id()) ? other.id : caller.id();
            String dmKey = first + ":" + second;
            // re-opening a direct room that exists is not counted, nor refused
            return rooms.findDirect(dmKey)
                    .chain(existing -> existing != null ? Uni.createFrom().item(new String[] { existing, "false" })
                            : actionLimits.counted(Action.DIRECT_ROOM, caller.id(),
                                    () -> rooms.directRoom(dmKey, UUID.randomUUID().toString(), first, second),
                                    found -> Boolean.parseBoolean(found[1])))
                    .chain(found -> rooms.view(caller.id(), found[0])
                            .map(view -> new Direct(view, Boolean.parseBoolean(found[1]))))
                    .invoke(direct -> {
                        // the caller's other connections learn of it too, and the other user only when it is new
                        events.roomAdded(caller.id(), direct.room(), RoomEvents.DIRECT);
                        if (direct.created()) {
                            events.roomAdded(other.id, direct.room().id(), RoomEvents.DIRECT);
                        }
                    });
        });
    }

    /** A direct room as its caller sees it, and whether the call created it. */
    public record Direct(RoomView room, boolean created) {
    }

    /** A page of the rooms the caller may read, oldest first, after the room {@code after}. */
    public Uni<List<RoomView>> list(UserView caller, String after, Integer limit) {
        int pageSize;
        try {
            pageSize = limits.roomPage(limit);
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        return rooms.visibleTo(caller.id(), after, pageSize).onItem().ifNull()
                .failWith(() -> ParleyException.badRequest("after names no room (deleted since?): list again from the start"));
    }

    public Uni<RoomView> get(UserView caller, String roomId) {
        return rooms.access(caller.id(), roomId).invoke(RoomAccess::requireRead)
                .chain(() -> rooms.view(caller.id(), roomId))
                .onItem().ifNull().failWith(() -> ParleyException.notFound("no such room"));
    }

    /** A page of the members of a room the caller may read, with their roles, by username after {@code after}. */
    public Uni<List<RoomRequests.MemberView>> members(UserView caller, String roomId, String after, Integer limit) {
        int pageSize;
        try {
            pageSize = limits.memberPage(limit);
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        return rooms.access(caller.id(), roomId).invoke(RoomAccess::requireRead)
                .chain(access -> rooms.members(roomId, after, pageSize));
    }

    public Uni<Void> delete(UserView caller, String roomId) {
        return rooms.access(caller.id(), roomId)
                .invoke(access -> access.requireOwner("only the owner deletes a room"))
                .chain(access -> Panache.withTransaction(() -> Room.delete("id", roomId)))
                .invoke(() -> events.roomDeleted(roomId))
                .replaceWithVoid();
    }

    /** Invites (or changes the role of) a user; the answer tells whether they were a member before. */
    public Uni<Added> addMember(UserView caller, String roomId, RoomRequests.Invite request) {
        Role wanted = request.role() == null ? null : Role.parse(request.role());
        // Only a new member counts: a role change or a repeated invitation adds nobody, so it is neither
        // counted nor refused at the limit. The look-up is outside the transaction; one that races a
        // removal adds one member uncounted, which the limit can afford.
        return isMember(roomId, request.username()).chain(member -> member
                ? add(caller, roomId, request, wanted)
                : actionLimits.counted(Action.INVITATION, caller.id(), () -> add(caller, roomId, request, wanted),
                        Added::created))
                .invoke(added -> {
                    if (added.created()) {
                        events.memberJoined(roomId, added.user(), RoomEvents.INVITED);
                    }
                });
    }

    private Uni<Boolean> isMember(String roomId, String username) {
        return Panache.withSession(() -> users.findByUsername(username).chain(user -> user == null
                ? Uni.createFrom().item(false)
                : Membership.findById(new Membership.Key(roomId, user.id)).map(m -> m != null)));
    }

    private Uni<Added> add(UserView caller, String roomId, RoomRequests.Invite request, Role wanted) {
        return Panache.withTransaction(() -> lockedAccess(caller, roomId)
                .invoke(RoomAccess::requireManageMembers)
                .chain(access -> users.findByUsername(request.username()).chain(user -> {
                    if (user == null) {
                        throw ParleyException.notFound("no such user");
                    }
                    UserView invited = UserView.of(user);
                    return Sanction.inForce(roomId, user.id).chain(sanctions -> {
                        if (sanctions.banned()) {
                            throw ParleyException.conflict("the user is banned from this room; lift the ban first");
                        }
                        return Membership.<Membership>findById(new Membership.Key(roomId, user.id));
                    }).chain(existing -> {
                        access.requireGrant(existing == null ? null : Role.of(existing.role), wanted);
                        if (existing != null) {
                            if (wanted != null) {
                                existing.role = wanted.wire();
                            }
                            return Uni.createFrom().item(new Added(roomId, invited, existing.role, false));
                        }
                        Role role = wanted == null ? Role.MEMBER : wanted;
                        return membership(roomId, user.id, role).persist()
                                .replaceWith(new Added(roomId, invited, role.wire(), true));
                    });
                })));
    }

    public record Added(String room, UserView user, String role, boolean created) {
    }

    /** Removes a member, or lets one leave; see {@link RoomAccess#requireRemove}. */
    public Uni<Void> removeMember(UserView caller, String roomId, String username) {
        return Panache.withTransaction(() -> lockedAccess(caller, roomId)
                .invoke(RoomAccess::requireMember)
                .chain(access -> users.findByUsername(username).chain(user -> {
                    if (user == null) {
                        throw ParleyException.notFound("no such user");
                    }
                    boolean self = user.id.equals(caller.id());
                    return Membership.<Membership>findById(new Membership.Key(roomId, user.id)).chain(member -> {
                        access.requireRemove(member == null ? null : Role.of(member.role), self);
                        return member.delete();
                    }).replaceWith(new Removed(UserView.of(user), self ? "left" : "removed"));
                })))
                .invoke(removed -> events.memberLeft(roomId, removed.user(), removed.reason()))
                .replaceWithVoid();
    }

    private record Removed(UserView user, String reason) {
    }

    /**
     * Opens a room for reading live and returns its newest seq: public rooms make the caller a
     * member on the way (announced with {@code member.joined}); private rooms admit members only.
     * The caller registers its live subscription first, so every entry after the returned seq
     * reaches it as an event.
     */
    public Uni<RoomSnapshot> openForSubscription(UserView caller, String roomId) {
        return rooms.snapshot(caller.id(), roomId).chain(snapshot -> {
            if (!snapshot.access().requireTakePart()) {
                return Uni.createFrom().item(snapshot);
            }
            return rooms.join(roomId, caller.id()).map(joined -> {
                if (joined) {
                    events.memberJoined(roomId, caller);
                }
                return snapshot;
            });
        });
    }

    /** The caller's read marker moved forward (members only); event {@code read} to the room. */
    public Uni<Long> markRead(UserView caller, String roomId, Long seq) {
        if (seq == null || seq < 0) {
            return Uni.createFrom().failure(ParleyException.badRequest("seq must be at least 0"));
        }
        return rooms.access(caller.id(), roomId)
                .invoke(RoomAccess::requireMember)
                .chain(() -> rooms.markRead(roomId, caller.id(), seq))
                .invoke(marker -> events.read(roomId, caller, marker));
    }

    /**
     * The access of each (room, user) pair, in order, in one query: for ending subscriptions whose
     * users lost access even when the event that should have ended them was lost.
     */
    public Uni<List<RoomAccess>> accessAll(String[] roomIds, String[] userIds) {
        return rooms.accessAll(roomIds, userIds);
    }

    /** The ids of the rooms the user is a member of (their own list, without public rooms they only may read). */
    public Uni<List<String>> memberRoomIds(String userId) {
        return rooms.memberRoomIds(userId);
    }

    /** The newest seq of each room that exists, by room id, in one query. */
    public Uni<Map<String, Long>> lastSeqs(String[] roomIds) {
        return rooms.lastSeqs(roomIds);
    }

    /**
     * Inside the caller's transaction: the room's row is locked before the caller's role and
     * sanctions are read, so that they hold until the commit (every change of membership, sanction
     * or the log takes the same lock).
     */
    static Uni<RoomAccess> lockedAccess(UserView caller, String roomId) {
        return Room.<Room>findById(roomId, LockModeType.PESSIMISTIC_WRITE).chain(room -> {
            if (room == null) {
                return Uni.createFrom().item(RoomAccess.noSuchRoom(roomId));
            }
            return Membership.<Membership>findById(new Membership.Key(roomId, caller.id()))
                    .chain(m -> Sanction.inForce(roomId, caller.id())
                            .map(s -> new RoomAccess(roomId, room.visibility, m == null ? null : Role.of(m.role), s.banned(),
                                    s.muted())));
        });
    }

    static Membership membership(String roomId, String userId, Role role) {
        Membership m = new Membership();
        m.roomId = roomId;
        m.userId = userId;
        m.role = role.wire();
        m.joinedAt = OffsetDateTime.now(ZoneOffset.UTC);
        return m;
    }
}

package dev.parley.room;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

import dev.parley.auth.UserRepository;
import dev.parley.auth.UserView;
import dev.parley.problem.ParleyException;

/**
 * Bans and mutes. Who may give or lift them is decided by {@link RoomAccess#requireModerate}; what
 * they forbid, by {@link RoomAccess} wherever access is decided (every check reads the sanctions in
 * force with the role). Like every change of membership, each takes the room's row lock first, so a
 * send that was authorized before a mute or a ban commits before it, never after.
 */
@ApplicationScoped
public class ModerationService {

    private final UserRepository users;
    private final RoomRepository rooms;
    private final RoomEvents events;

    public ModerationService(UserRepository users, RoomRepository rooms, RoomEvents events) {
        this.users = users;
        this.rooms = rooms;
        this.events = events;
    }

    /** What a sanction given or lifted did: to whom, and whether it ended a membership. */
    public record Outcome(UserView user, boolean removed) {
    }

    /**
     * Bans or mutes a user (a member or not: a ban keeps someone out of a public room before they
     * join). A ban removes them from the room (event {@code member.left} with reason {@code banned},
     * which ends their live subscriptions on every instance) and keeps them out until it is lifted or
     * ends; a mute lets them read but not send, edit or react. Given again, it is replaced.
     */
    public Uni<Outcome> give(UserView caller, String roomId, String kind, RoomRequests.Sanctioning request) {
        if (Sanction.MUTE.equals(kind) && request.minutes() == null) {
            return Uni.createFrom().failure(ParleyException.badRequest("a mute needs minutes"));
        }
        boolean ban = Sanction.BAN.equals(kind);
        return Panache.withTransaction(() -> target(caller, roomId, request.username()).chain(t -> {
            t.access().requireModerate(t.role());
            return put(roomId, t.user(), kind, request.reason(), request.minutes(), caller)
                    .chain(() -> !ban || t.member() == null ? Uni.createFrom().item(new Outcome(t.user(), false))
                            : t.member().delete().replaceWith(new Outcome(t.user(), true)));
        })).invoke(outcome -> {
            if (outcome.removed()) {
                events.memberLeft(roomId, outcome.user(), "banned");
            }
        });
    }

    /** Lifts a ban or a mute in force; {@code not_found} when there is none. */
    public Uni<Void> lift(UserView caller, String roomId, String username, String kind) {
        return Panache.withTransaction(() -> target(caller, roomId, username).chain(t -> {
            t.access().requireModerate(t.role());
            return Sanction.<Sanction>findById(new Sanction.Key(roomId, t.user().id(), kind)).chain(found -> {
                if (found == null || !found.inForce(OffsetDateTime.now(ZoneOffset.UTC))) {
                    throw ParleyException.notFound(Sanction.BAN.equals(kind) ? "the user is not banned from this room"
                            : "the user is not muted in this room");
                }
                return found.delete();
            });
        }));
    }

    /** The bans or mutes in force, for the room's owner and admins. */
    public Uni<List<RoomRequests.SanctionView>> list(UserView caller, String roomId, String kind) {
        return rooms.access(caller.id(), roomId).invoke(RoomAccess::requireManageMembers)
                .chain(() -> rooms.sanctions(roomId, kind));
    }

    private record Target(RoomAccess access, UserView user, Membership member, Role role) {
    }

    // The caller's access (room row locked), the user named and their membership, if any.
    private Uni<Target> target(UserView caller, String roomId, String username) {
        return RoomService.lockedAccess(caller, roomId).chain(access -> {
            access.requireManageMembers();
            return users.findByUsername(username).chain(found -> {
                if (found == null) {
                    throw ParleyException.notFound("no such user");
                }
                UserView user = UserView.of(found);
                return Membership.<Membership>findById(new Membership.Key(roomId, user.id()))
                        .map(m -> new Target(access, user, m, m == null ? null : Role.of(m.role)));
            });
        });
    }

    private Uni<Void> put(String roomId, UserView user, String kind, String reason, Integer minutes, UserView by) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return Sanction.<Sanction>findById(new Sanction.Key(roomId, user.id(), kind)).chain(existing -> {
            Sanction s = existing == null ? new Sanction() : existing;
            s.roomId = roomId;
            s.userId = user.id();
            s.kind = kind;
            s.reason = reason == null || reason.isBlank() ? null : reason.strip();
            s.until = minutes == null ? null : now.plusMinutes(minutes);
            s.createdBy = by.id();
            s.createdAt = now;
            return existing == null ? s.persist().replaceWithVoid() : Uni.createFrom().voidItem();
        });
    }
}

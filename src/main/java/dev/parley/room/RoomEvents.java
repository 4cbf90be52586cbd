package dev.parley.room;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.parley.auth.UserView;
import dev.parley.fanout.EventType;
import dev.parley.fanout.RoomEventPublisher;

/**
 * The room-level events, published after the change they announce is committed: to the room's
 * channel, and, for a change of someone's list of rooms, to that user's channel ({@code room.added},
 * {@code room.removed}), which reaches every connection of theirs on every instance.
 */
@ApplicationScoped
public class RoomEvents {

    private static final Logger LOG = Logger.getLogger(RoomEvents.class);

    /** Why a room joined a user's list: the {@code reason} of {@code room.added}. */
    public static final String INVITED = "invited";
    public static final String DIRECT = "direct";
    public static final String JOINED = "joined";
    public static final String CREATED = "created";

    private final RoomEventPublisher publisher;
    private final RoomRepository rooms;

    public RoomEvents(RoomEventPublisher publisher, RoomRepository rooms) {
        this.publisher = publisher;
        this.rooms = rooms;
    }

    // The payloads below are serialized by RoomEventPublisher, outside any REST signature: registered
    // for reflection for the native image.

    /** The payload of {@code member.joined} and {@code member.left}. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MemberEvent(String room, UserView user, String reason) {
    }

    /** The payload of {@code room.deleted}. */
    @RegisterForReflection
    public record RoomDeleted(String room) {
    }

    /** The payload of {@code room.added}: the room as {@code GET /api/rooms} shows it to the user. */
    @RegisterForReflection
    public record RoomAdded(RoomView room, String reason) {
    }

    /** The payload of {@code room.removed}: {@code left}, {@code removed}, {@code banned} or {@code deleted}. */
    @RegisterForReflection
    public record RoomRemoved(String room, String reason) {
    }

    /** A user who joined by taking part (subscribe or send in a public room). */
    public void memberJoined(String roomId, UserView user) {
        memberJoined(roomId, user, JOINED);
    }

    /** Announces the new member to the room, and the room to every connection of the new member. */
    public void memberJoined(String roomId, UserView user, String reason) {
        publisher.publish(roomId, EventType.MEMBER_JOINED, 0, user.id(), new MemberEvent(roomId, user, null));
        roomAdded(user.id(), roomId, reason);
    }

    /**
     * Tells every connection of the user that the room is on their list now, with the room as they
     * see it (read after the commit: one query).
     */
    public void roomAdded(String userId, String roomId, String reason) {
        rooms.view(userId, roomId).subscribe().with(view -> {
            if (view != null) {
                roomAdded(userId, view, reason);
            }
        }, e -> LOG.warnf("room.added for %s not sent: reading room %s failed (%s)", userId, roomId, e.getMessage()));
    }

    /** The same, with the room as the user sees it already at hand. */
    public void roomAdded(String userId, RoomView view, String reason) {
        publisher.publishToUser(userId, EventType.ROOM_ADDED, view.id(), new RoomAdded(view, reason));
    }

    /**
     * Also ends the user's live subscriptions of the room on every instance. {@code reason} is
     * {@code left} (they left) or {@code removed} (an owner or admin removed them).
     */
    public void memberLeft(String roomId, UserView user, String reason) {
        publisher.publish(roomId, EventType.MEMBER_LEFT, 0, user.id(), new MemberEvent(roomId, user, reason));
        publisher.publishToUser(user.id(), EventType.ROOM_REMOVED, roomId, new RoomRemoved(roomId, reason));
    }

    /** The payload of {@code read}: the reader's marker (not a position in the log). */
    @RegisterForReflection
    public record Read(String room, UserView user, long seq) {
    }

    public void read(String roomId, UserView user, long seq) {
        publisher.publish(roomId, EventType.READ, 0, user.id(), new Read(roomId, user, seq));
    }

    /**
     * Ends every subscription of the room on every instance. Its members' lists learn it from this
     * one event too (each instance watches its connected members' rooms): no publish per member.
     */
    public void roomDeleted(String roomId) {
        publisher.publish(roomId, EventType.ROOM_DELETED, 0, null, new RoomDeleted(roomId));
    }
}

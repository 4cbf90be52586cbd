package dev.parley.room;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.parley.auth.UserView;
import dev.parley.fanout.EventType;
import dev.parley.fanout.RoomEventPublisher;

/** The room-level events, published after the change they announce is committed. */
@ApplicationScoped
public class RoomEvents {

    private final RoomEventPublisher publisher;

    public RoomEvents(RoomEventPublisher publisher) {
        this.publisher = publisher;
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

    public void memberJoined(String roomId, UserView user) {
        publisher.publish(roomId, EventType.MEMBER_JOINED, 0, user.id(), new MemberEvent(roomId, user, null));
    }

    /**
     * Also ends the user's live subscriptions of the room on every instance. {@code reason} is
     * {@code left} (they left) or {@code removed} (an owner or admin removed them).
     */
    public void memberLeft(String roomId, UserView user, String reason) {
        publisher.publish(roomId, EventType.MEMBER_LEFT, 0, user.id(), new MemberEvent(roomId, user, reason));
    }

    /** The payload of {@code read}: the reader's marker (not a position in the log). */
    @RegisterForReflection
    public record Read(String room, UserView user, long seq) {
    }

    public void read(String roomId, UserView user, long seq) {
        publisher.publish(roomId, EventType.READ, 0, user.id(), new Read(roomId, user, seq));
    }

    /** Ends every subscription of the room on every instance. */
    public void roomDeleted(String roomId) {
        publisher.publish(roomId, EventType.ROOM_DELETED, 0, null, new RoomDeleted(roomId));
    }
}

package dev.parley.room;

import jakarta.enterprise.context.ApplicationScoped;

import dev.parley.auth.UserView;
import dev.parley.realtime.RoomHub;

/** The room-level events, published after the change they announce is committed. */
@ApplicationScoped
public class RoomEvents {

    private final RoomHub hub;

    public RoomEvents(RoomHub hub) {
        this.hub = hub;
    }

    record MemberEvent(String room, UserView user) {
    }

    record RoomDeleted(String room) {
    }

    public void memberJoined(String roomId, UserView user) {
        hub.publish(roomId, "member.joined", 0, user.id(), new MemberEvent(roomId, user));
    }

    /** Also ends the user's live subscriptions of the room on every instance. */
    public void memberLeft(String roomId, UserView user) {
        hub.publish(roomId, "member.left", 0, user.id(), new MemberEvent(roomId, user));
    }

    /** Ends every subscription of the room on every instance. */
    public void roomDeleted(String roomId) {
        hub.publish(roomId, "room.deleted", 0, null, new RoomDeleted(roomId));
    }
}

package dev.parley.fanout;

import java.util.HashMap;
import java.util.Map;

/**
 * The server-pushed event types of the wire protocol, by their wire names. Log entries carry the
 * room's {@code seq}; the others are ephemeral signals with no place in the log.
 */
public enum EventType {
    MESSAGE("message", true),
    MESSAGE_EDITED("message.edited", true),
    MESSAGE_DELETED("message.deleted", true),
    REACTION("reaction", true),
    TYPING("typing", false),
    PRESENCE("presence", false),
    READ("read", false),
    MEMBER_JOINED("member.joined", false),
    MEMBER_LEFT("member.left", false),
    ROOM_DELETED("room.deleted", false),
    /** To a user: a room joined their list (invited, a direct room, joined, created). */
    ROOM_ADDED("room.added", false),
    /** To a user: a room left their list (left, removed, banned, deleted). */
    ROOM_REMOVED("room.removed", false),
    /** To a user's connections not subscribed to the room: an entry that may change their unread counts. */
    ROOM_ACTIVITY("room.activity", false),
    /** Not a client frame: on the control channel, a user whose connections every instance closes. */
    USER_REVOKED("user.revoked", false);

    private static final Map<String, EventType> BY_WIRE = new HashMap<>();

    static {
        for (EventType type : values()) {
            BY_WIRE.put(type.wire, type);
        }
    }

    private final String wire;
    private final boolean logEntry;

    EventType(String wire, boolean logEntry) {
        this.wire = wire;
        this.logEntry = logEntry;
    }

    public String wire() {
        return wire;
    }

    /** Whether the event is an entry of the room log (it carries a seq and is replayed). */
    public boolean isLogEntry() {
        return logEntry;
    }

    /** Whether the event takes a user's access to the room away (their subscriptions end). */
    public boolean endsAccess() {
        return this == MEMBER_LEFT || this == ROOM_DELETED || this == ROOM_REMOVED;
    }

    /** The type with this wire name; an unknown name is refused. */
    public static EventType ofWire(String wire) {
        EventType type = BY_WIRE.get(wire);
        if (type == null) {
            throw new IllegalArgumentException("unknown event type: " + wire);
        }
        return type;
    }
}

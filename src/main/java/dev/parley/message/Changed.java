package dev.parley.message;

import dev.parley.fanout.EventType;

/**
 * The outcome of an edit, a deletion or a reaction: the entry stored ({@code type}, its
 * {@code seq}, the event's payload), or, for a reaction that changed nothing, no entry
 * ({@code type} null, {@code seq} 0).
 */
public record Changed(String room, long target, EventType type, long seq, Object event) {

    public static Changed nothing(String room, long target) {
        return new Changed(room, target, null, 0, null);
    }

    public boolean stored() {
        return type != null;
    }
}

package dev.parley.fanout;

import dev.parley.wire.Utf8;

/**
 * One event of a room as it travels between instances: the JSON frame exactly as subscribers get
 * it (serialised once, written as is to every socket) plus what receivers need without parsing it:
 * the instance it comes from, the log {@code seq} it carries (0 for events that are not log
 * entries), its type, and the user it is about (for {@code typing} and {@code member.left}).
 *
 * <p>The frame's UTF-8 size is counted once, for every subscriber's outbound limit.
 *
 * <p>On the wire: {@code origin seq type subject\n json}, {@code -} for no subject. The room is
 * not repeated: it is the channel.
 */
public record RoomEvent(String origin, long seq, EventType type, String subject, String json, int bytes) {

    private static final String NONE = "-";

    /** An event whose frame takes {@code bytes} on the wire, counted once for all its subscribers. */
    public RoomEvent(String origin, long seq, EventType type, String subject, String json) {
        this(origin, seq, type, subject, json, Utf8.length(json));
    }

    public String encode() {
        return origin + ' ' + seq + ' ' + type.wire() + ' ' + (subject == null ? NONE : subject) + '\n' + json;
    }

    public static RoomEvent decode(String payload) {
        int newline = payload.indexOf('\n');
        if (newline < 0) {
            throw new IllegalArgumentException("not a room event");
        }
        String[] head = payload.substring(0, newline).split(" ");
        if (head.length != 4) {
            throw new IllegalArgumentException("not a room event");
        }
        return new RoomEvent(head[0], Long.parseLong(head[1]), EventType.ofWire(head[2]),
                NONE.equals(head[3]) ? null : head[3], payload.substring(newline + 1));
    }
}

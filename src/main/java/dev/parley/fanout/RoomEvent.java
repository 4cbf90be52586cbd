package dev.parley.fanout;

import dev.parley.wire.Utf8;

/**
 * One event of a room as it travels between instances: the JSON frame exactly as subscribers get
 * it (serialised once, written as is to every socket) plus what receivers need without parsing it:
 * the instance it comes from, the log {@code seq} it carries (0 for events that are not log
 * entries), its type, the user it is about (for {@code typing} and {@code member.left}), and when
 * the committing instance published it, right after its commit (epoch milliseconds; 0 when unknown:
 * replays, repairs, events of an instance that does not send it), for the delivery latency.
 *
 * <p>The frame's UTF-8 size is counted once, for every subscriber's outbound limit.
 *
 * <p>On the wire: {@code origin[@committedAt] seq type subject\n json}, {@code -} for no subject. The
 * room is not repeated: it is the channel. The commit time rides on the origin so that an instance
 * that does not know it still reads four fields, and still sees the event as another instance's.
 */
public record RoomEvent(String origin, long seq, EventType type, String subject, String json, int bytes, long committedAt) {

    private static final String NONE = "-";
    private static final char AT = '@';

    /** An event whose frame takes {@code bytes} on the wire, counted once for all its subscribers. */
    public RoomEvent(String origin, long seq, EventType type, String subject, String json) {
        this(origin, seq, type, subject, json, 0);
    }

    /** The same, published at {@code committedAt} (epoch milliseconds) right after its commit. */
    public RoomEvent(String origin, long seq, EventType type, String subject, String json, long committedAt) {
        this(origin, seq, type, subject, json, Utf8.length(json), committedAt);
    }

    public String encode() {
        return origin + (committedAt > 0 ? AT + Long.toString(committedAt) : "") + ' ' + seq + ' ' + type.wire() + ' '
                + (subject == null ? NONE : subject) + '\n' + json;
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
        String origin = head[0];
        long committedAt = 0;
        int at = origin.indexOf(AT);
        if (at >= 0) {
            committedAt = Long.parseLong(origin.substring(at + 1));
            origin = origin.substring(0, at);
        }
        return new RoomEvent(origin, Long.parseLong(head[1]), EventType.ofWire(head[2]),
                NONE.equals(head[3]) ? null : head[3], payload.substring(newline + 1), committedAt);
    }
}

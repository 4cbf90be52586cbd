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
 * <p>While tracing is on, an event published inside a trace also carries the W3C {@code traceparent}
 * of its publish ({@code trace}, null otherwise), for the receiving instances' delivery spans.
 *
 * <p>On the wire: {@code origin[#traceparent][@committedAt] seq type subject\n json}, {@code -} for
 * no subject. The room is not repeated: it is the channel. The commit time and the trace ride on the
 * origin so that an instance that does not know them still reads four fields, and still sees the
 * event as another instance's; the trace comes before the {@code @} so that an instance that knows
 * only the commit time still reads a number after it.
 */
public record RoomEvent(String origin, long seq, EventType type, String subject, String json, int bytes, long committedAt,
        String trace) {

    private static final String NONE = "-";
    private static final char AT = '@';
    private static final char HASH = '#';

    /** An event whose frame takes {@code bytes} on the wire, counted once for all its subscribers. */
    public RoomEvent(String origin, long seq, EventType type, String subject, String json) {
        this(origin, seq, type, subject, json, 0);
    }

    /** The same, published at {@code committedAt} (epoch milliseconds) right after its commit. */
    public RoomEvent(String origin, long seq, EventType type, String subject, String json, long committedAt) {
        this(origin, seq, type, subject, json, Utf8.length(json), committedAt, null);
    }

    /** The same, published inside the trace whose W3C {@code traceparent} is {@code trace} (null: none). */
    public RoomEvent(String origin, long seq, EventType type, String subject, String json, long committedAt, String trace) {
        this(origin, seq, type, subject, json, Utf8.length(json), committedAt, trace);
    }

    public String encode() {
        return origin + (trace != null ? HASH + trace : "") + (committedAt > 0 ? AT + Long.toString(committedAt) : "")
                + ' ' + seq + ' ' + type.wire() + ' '
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
        String trace = null;
        int hash = origin.indexOf(HASH);
        if (hash >= 0) {
            trace = origin.substring(hash + 1);
            origin = origin.substring(0, hash);
        }
        return new RoomEvent(origin, Long.parseLong(head[1]), EventType.ofWire(head[2]),
                NONE.equals(head[3]) ? null : head[3], payload.substring(newline + 1), committedAt, trace);
    }
}

package dev.parley.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The event's wire form between instances, and its commit time and trace riding on the origin. */
class RoomEventTest {

    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @Test
    void aLogEntryCarriesItsCommitTimeAcross() {
        RoomEvent sent = new RoomEvent("instance-a", 7, EventType.MESSAGE, null, "{\"type\":\"message\"}", 1_765_000_000_123L);
        RoomEvent received = RoomEvent.decode(sent.encode());
        assertThat(received).isEqualTo(sent);
        assertThat(received.origin()).isEqualTo("instance-a");
        assertThat(received.committedAt()).isEqualTo(1_765_000_000_123L);
    }

    @Test
    void anEventWithoutACommitTimeKeepsTheFourFieldForm() {
        RoomEvent typing = new RoomEvent("instance-a", 0, EventType.TYPING, "user-1", "{\"type\":\"typing\"}");
        assertThat(typing.encode()).startsWith("instance-a 0 typing user-1\n");
        assertThat(RoomEvent.decode(typing.encode())).isEqualTo(typing);
    }

    /** An instance that does not know the commit time reads four fields and sees another instance's event. */
    @Test
    void theHeadStaysFourFieldsForInstancesThatDoNotKnowTheCommitTime() {
        String wire = new RoomEvent("instance-a", 3, EventType.MESSAGE, null, "{}", 42).encode();
        String[] head = wire.substring(0, wire.indexOf('\n')).split(" ");
        assertThat(head).hasSize(4);
        assertThat(head[0]).isNotEqualTo("instance-a");
        assertThat(RoomEvent.decode("instance-a 3 message -\n{}").committedAt()).isZero();
    }

    @Test
    void aTracedEventCarriesItsTraceparentAcross() {
        RoomEvent sent = new RoomEvent("instance-a", 7, EventType.MESSAGE, null, "{}", 1_765_000_000_123L, TRACEPARENT);
        assertThat(sent.encode()).startsWith("instance-a#" + TRACEPARENT + "@1765000000123 7 message -\n");
        RoomEvent received = RoomEvent.decode(sent.encode());
        assertThat(received).isEqualTo(sent);
        assertThat(received.origin()).isEqualTo("instance-a");
        assertThat(received.trace()).isEqualTo(TRACEPARENT);
        assertThat(received.committedAt()).isEqualTo(1_765_000_000_123L);
    }

    @Test
    void aTracedEventWithoutACommitTimeKeepsItsTrace() {
        RoomEvent typing = new RoomEvent("instance-a", 0, EventType.TYPING, "user-1", "{}", 0, TRACEPARENT);
        RoomEvent received = RoomEvent.decode(typing.encode());
        assertThat(received.trace()).isEqualTo(TRACEPARENT);
        assertThat(received.origin()).isEqualTo("instance-a");
        assertThat(received.committedAt()).isZero();
    }

    /** An instance without tracing, or of an earlier version, sends no trace: this version reads no trace. */
    @Test
    void anEventWithoutATraceIsReadAsBefore() {
        RoomEvent received = RoomEvent.decode("instance-a@42 3 message -\n{}");
        assertThat(received.trace()).isNull();
        assertThat(received.origin()).isEqualTo("instance-a");
        assertThat(received.committedAt()).isEqualTo(42);
    }

    /**
     * An instance of the version before traces decodes a traced event with its own decoder (kept
     * here as it was): four fields, the commit time a number, and an origin that is not its own.
     */
    @Test
    void theVersionBeforeTracesStillDecodesATracedEvent() {
        String wire = new RoomEvent("instance-a", 3, EventType.MESSAGE, null, "{\"seq\":3}", 42, TRACEPARENT).encode();
        RoomEvent old = decodeAsTheVersionBeforeTraces(wire);
        assertThat(old.seq()).isEqualTo(3);
        assertThat(old.type()).isEqualTo(EventType.MESSAGE);
        assertThat(old.committedAt()).isEqualTo(42);
        assertThat(old.json()).isEqualTo("{\"seq\":3}");
        assertThat(old.origin()).isNotEqualTo("instance-b").startsWith("instance-a");
        String untimed = new RoomEvent("instance-a", 0, EventType.TYPING, "u", "{}", 0, TRACEPARENT).encode();
        assertThat(decodeAsTheVersionBeforeTraces(untimed).subject()).isEqualTo("u");
    }

    // RoomEvent.decode as it was before the trace was added.
    private static RoomEvent decodeAsTheVersionBeforeTraces(String payload) {
        int newline = payload.indexOf('\n');
        String[] head = payload.substring(0, newline).split(" ");
        if (head.length != 4) {
            throw new IllegalArgumentException("not a room event");
        }
        String origin = head[0];
        long committedAt = 0;
        int at = origin.indexOf('@');
        if (at >= 0) {
            committedAt = Long.parseLong(origin.substring(at + 1));
            origin = origin.substring(0, at);
        }
        return new RoomEvent(origin, Long.parseLong(head[1]), EventType.ofWire(head[2]),
                "-".equals(head[3]) ? null : head[3], payload.substring(newline + 1), committedAt);
    }
}

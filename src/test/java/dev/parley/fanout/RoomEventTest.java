package dev.parley.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The event's wire form between instances, and its commit time riding on the origin. */
class RoomEventTest {

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
}

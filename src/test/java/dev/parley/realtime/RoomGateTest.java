package dev.parley.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.fanout.EventType;
import dev.parley.fanout.RoomEvent;

/** The gate's rules, one by one, with the clock and PostgreSQL played by the test. */
class RoomGateTest {

    private final List<Long> forwarded = new ArrayList<>();
    private final List<long[]> fetches = new ArrayList<>();
    private final List<Runnable> timers = new ArrayList<>();
    private final List<Long> delays = new ArrayList<>();
    private int holds;
    private final RoomGate gate = new RoomGate(e -> forwarded.add(e.seq()), (after, upTo) -> fetches.add(new long[] { after, upTo }),
            (millis, task) -> {
                delays.add(millis);
                timers.add(task);
            }, 250, () -> holds++);

    @Test
    void entriesInOrderAreForwardedAtOnceAndDuplicatesDropped() {
        assertThat(gate.join(4)).isEqualTo(4);
        offer(5, 6, 6, 5, 7, 3);
        assertThat(forwarded).containsExactly(5L, 6L, 7L);
        assertThat(gate.duplicates()).isEqualTo(3);
        assertThat(timers).isEmpty();
        assertThat(holds).isZero();
    }

    @Test
    void anEntryAheadOfAMissingOneIsHeldUntilTheMissingOneArrives() {
        gate.join(0);
        offer(1, 3, 4, 4);
        assertThat(forwarded).containsExactly(1L);
        assertThat(holds).as("3 and 4 held, each once").isEqualTo(2);
        offer(2);
        assertThat(forwarded).containsExactly(1L, 2L, 3L, 4L);
        fireTimers(); // the gap closed by itself: nothing to fetch
        assertThat(fetches).isEmpty();
    }

    @Test
    void aGapStillOpenAfterTheTimeoutIsFetchedAndFilledInOrder() {
        gate.join(0);
        offer(1, 4, 5);
        fireTimers();
        assertThat(fetches).hasSize(1);
        assertThat(fetches.get(0)).containsExactly(1L, 3L); // only the gap: 4 and 5 are held
        offer(2, 3); // the fetched entries come back through the gate
        gate.repaired(true);
        assertThat(forwarded).containsExactly(1L, 2L, 3L, 4L, 5L);
        // and the live copy of 3, arriving late, is dropped
        offer(3);
        assertThat(forwarded).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aRoomThatFellSilentAfterALostPublishIsCaughtUpFromItsNewestSeq() {
        gate.join(0);
        offer(1);
        gate.expect(3); // 2 and 3 were committed, their publishes lost, and nothing came after
        assertThat(gate.behind()).isTrue();
        fireTimers();
        assertThat(fetches.get(0)).containsExactly(1L, 3L);
        offer(2, 3);
        gate.repaired(true);
        assertThat(forwarded).containsExactly(1L, 2L, 3L);
        assertThat(gate.behind()).isFalse();
    }

    @Test
    void entriesBeforeTheFirstSubscriberJoinedWaitForItAndOlderOnesAreDropped() {
        offer(7, 9, 8);
        assertThat(forwarded).isEmpty();
        // 7 came with the replay; 8 and 9 follow at once, and the replay may cover them too
        assertThat(gate.join(7)).isEqualTo(9);
        assertThat(forwarded).containsExactly(8L, 9L);
        // a later subscriber meets the gate where it is
        assertThat(gate.join(5)).isEqualTo(9);
    }

    @Test
    void failedFetchesAreRetriedLaterAndLater() {
        gate.join(0);
        offer(2);
        fireTimers();
        gate.repaired(false);
        fireTimers();
        gate.repaired(false);
        fireTimers();
        assertThat(fetches).hasSize(3);
        assertThat(delays).containsExactly(250L, 500L, 1000L);
        offer(1);
        gate.repaired(true);
        assertThat(forwarded).containsExactly(1L, 2L);
    }

    @Test
    void heldEntriesAreBoundedAndWhatWasLetGoIsFetchedAgain() {
        gate.join(0);
        for (long seq = 2; seq <= RoomGate.MAX_HELD + 11; seq++) {
            offer(seq);
        }
        offer(1);
        assertThat(forwarded).hasSize(RoomGate.MAX_HELD + 1);
        assertThat(gate.behind()).isTrue();
        fireTimers();
        long[] last = fetches.get(fetches.size() - 1);
        assertThat(last).containsExactly(RoomGate.MAX_HELD + 1L, RoomGate.MAX_HELD + 11L);
    }

    private void offer(long... seqs) {
        for (long seq : seqs) {
            gate.offer(new RoomEvent("test", seq, EventType.MESSAGE, null, "{\"seq\":" + seq + "}"));
        }
    }

    private void fireTimers() {
        List<Runnable> due = List.copyOf(timers);
        timers.clear();
        due.forEach(Runnable::run);
    }
}

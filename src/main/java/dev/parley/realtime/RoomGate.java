package dev.parley.realtime;

import java.util.Map;
import java.util.TreeMap;

import dev.parley.fanout.RoomEvent;

/**
 * The live stream of one room on this instance, made a faithful copy of the room's log: entries
 * are forwarded to the room's local subscribers exactly once, in {@code seq} order, without gaps,
 * wherever they come from (this instance's publishes, other instances' through the broker, or
 * PostgreSQL).
 *
 * <p>The gate keeps the last seq it forwarded. The entry after it is forwarded at once, then any
 * held successors; an entry already forwarded is dropped (a retry's republish, a repair's replay);
 * an entry ahead of a missing one is held, and when the missing one has not arrived after
 * {@code gapTimeout} (a lost publish, a broker outage, a crash between commit and publish) the gate
 * asks its {@link Repair} to fetch the range from PostgreSQL, whose entries come back through
 * {@link #offer}. The room's newest seq, read now and then ({@link #expect}), reveals a gap that no
 * later entry would: a lost publish right before the room fell silent.
 *
 * <p>Held entries are a cache: past {@value #MAX_HELD} the newest are let go, and fetched again.
 */
final class RoomGate {

    static final int MAX_HELD = 10_000;

    /** Forwards one entry to the room's local subscribers; called in seq order, under the gate's lock. */
    interface Forward {
        void forward(RoomEvent entry);
    }

    /**
     * Fetches the entries {@code after < seq <= upTo}, offers them back in order and then calls
     * {@link #repaired} (with false when PostgreSQL could not be read: the gate tries again later).
     */
    interface Repair {
        void fetch(long after, long upTo);
    }

    /** Schedules {@link #gapTimedOut} after {@code millis}. */
    interface Timer {
        void schedule(long millis, Runnable task);
    }

    private final Forward forward;
    private final Repair repair;
    private final Timer timer;
    private final long gapTimeoutMillis;
    private final TreeMap<Long, RoomEvent> held = new TreeMap<>();
    /** The last seq forwarded; -1 until the first subscriber joined. */
    private long forwarded = -1;
    /** The newest seq known to exist in the room's log. */
    private long known;
    private boolean timerSet;
    private boolean fetching;
    private int failedFetches;
    private long duplicates;
    private final Runnable onHold;

    /** {@code onHold}: told of each entry held back behind a missing one (for the metrics). */
    RoomGate(Forward forward, Repair repair, Timer timer, long gapTimeoutMillis, Runnable onHold) {
        this.onHold = onHold;
        this.forward = forward;
        this.repair = repair;
        this.timer = timer;
        this.gapTimeoutMillis = gapTimeoutMillis;
    }

    /**
     * A subscriber joins: returns the seq from which the gate forwards to it (it gets every entry
     * after that seq live, and reads the entries up to it from PostgreSQL). The first subscriber
     * places the gate at the room's newest seq, {@code lastSeq}, read after it was registered.
     */
    synchronized long join(long lastSeq) {
        if (forwarded < 0) {
            forwarded = lastSeq;
            known = Math.max(known, lastSeq);
            held.headMap(lastSeq, true).clear();
            drain();
        }
        return forwarded;
    }

    /** An entry of the log, from wherever it came. */
    synchronized void offer(RoomEvent entry) {
        long seq = entry.seq();
        known = Math.max(known, seq);
        if (forwarded >= 0 && seq <= forwarded) {
            duplicates++;
            return;
        }
        if (forwarded >= 0 && seq == forwarded + 1) {
            forward.forward(entry);
            forwarded = seq;
            drain();
        } else {
            if (held.putIfAbsent(seq, entry) == null && forwarded >= 0) {
                onHold.run();
            }
            if (held.size() > MAX_HELD) {
                held.pollLastEntry(); // fetched again when its turn comes: known still covers it
            }
        }
        watch();
    }

    /** The room's log is known to reach {@code lastSeq} (read from PostgreSQL). */
    synchronized void expect(long lastSeq) {
        known = Math.max(known, lastSeq);
        watch();
    }

    /** Whether entries known to exist have not been forwarded yet. */
    synchronized boolean behind() {
        return forwarded >= 0 && known > forwarded;
    }

    synchronized long forwarded() {
        return forwarded;
    }

    /** Entries dropped because they had been forwarded already. */
    synchronized long duplicates() {
        return duplicates;
    }

    /** A fetch ended: if the gap is still open, the next one is due (later after failures). */
    synchronized void repaired(boolean ok) {
        fetching = false;
        failedFetches = ok ? 0 : Math.min(failedFetches + 1, 5);
        watch();
    }

    private void drain() {
        while (!held.isEmpty()) {
            Map.Entry<Long, RoomEvent> first = held.firstEntry();
            if (first.getKey() <= forwarded) {
                held.pollFirstEntry();
                duplicates++;
            } else if (first.getKey() == forwarded + 1) {
                held.pollFirstEntry();
                forward.forward(first.getValue());
                forwarded = first.getKey();
            } else {
                return;
            }
        }
    }

    // A gap gets gapTimeout to close by itself (an entry merely overtaken by a later one on the way),
    // then it is fetched.
    private void watch() {
        if (forwarded < 0 || known <= forwarded || timerSet || fetching) {
            return;
        }
        timerSet = true;
        // after failed fetches (PostgreSQL down) back off: 2, 4 … 32 times the gap timeout
        timer.schedule(gapTimeoutMillis << failedFetches, this::gapTimedOut);
    }

    synchronized void gapTimedOut() {
        timerSet = false;
        if (forwarded < 0 || known <= forwarded || fetching) {
            return;
        }
        fetching = true;
        long upTo = held.isEmpty() ? known : held.firstKey() - 1;
        repair.fetch(forwarded, upTo);
    }
}

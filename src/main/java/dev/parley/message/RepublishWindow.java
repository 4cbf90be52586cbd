package dev.parley.message;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.inject.Singleton;

/**
 * Whether a retried send should publish its stored message again. A retry republishes so that a
 * crash between commit and publish loses no live delivery; but every retry doing so let one client
 * multiply a message's fan-out (500 retries of one {@code clientMsgId} were 500 publishes). So each
 * instance republishes a (room, seq) at most once per {@link #WINDOW_NANOS}.
 * <p>
 * Kept in this instance's memory rather than in Redis (SET NX with expiry): it costs no round trip
 * per retry and holds without Redis too. Across N instances a message is republished at most N
 * times per window, which bounds the fan-out just as well; and the retry that matters, the first
 * one after a crash, always republishes: the instance that crashed lost its memory with it, and
 * every other one has not republished that entry yet. Bounded: the oldest entries are forgotten
 * first, and a forgotten entry only republishes once more.
 */
@Singleton
public class RepublishWindow {

    /** Longer than a client's retry back-off; a retry after it republishes again (instances drop the copy). */
    static final long WINDOW_NANOS = 10_000_000_000L;
    private static final int REMEMBERED = 10_000;

    private final Map<String, Long> lastRepublish = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** True, and remembered, when the room's entry was not republished here within the window. */
    public synchronized boolean due(String room, long seq) {
        String key = room + '#' + seq;
        long now = System.nanoTime();
        Long last = lastRepublish.get(key);
        if (last != null && now - last < WINDOW_NANOS) {
            return false;
        }
        lastRepublish.remove(key); // re-inserted at the end: insertion order is the age of the entry
        lastRepublish.put(key, now);
        return true;
    }
}

package dev.parley.limit;

import java.time.Duration;
import java.util.List;

import io.smallrye.mutiny.Uni;

/**
 * The counters behind every per-user and per-address limit: fixed windows (failed logins,
 * registrations, actions per hour) and token buckets (requests per second). One implementation
 * keeps them in this instance's memory, the other in Redis for every instance together.
 *
 * <p>Guarantee: a count never exceeds what was added in its window, and a bucket never hands out
 * more than its burst plus its rate over time; either may fall short when the store lost state (a
 * Redis restart, an instance restart for the in-process store).
 */
public interface Counters {

    /** A key's count in its open window and the time until that window closes (zero when none is open). */
    record Window(long count, Duration left) {
    }

    /** Tokens handed out by {@link #lease}: {@code granted} of those asked, else the wait for the next one. */
    record Grant(int granted, Duration retryAfter) {
    }

    /** The windows of the keys, in order. */
    Uni<List<Window>> read(List<String> keys);

    /** Counts one for each key, opening a window of {@code window} for a key that has none. */
    Uni<Void> add(List<String> keys, Duration window);

    /** Forgets the key's count. */
    Uni<Void> reset(String key);

    /**
     * Counts one for the key unless its open window already holds {@code limit}: atomically, so that
     * concurrent callers never pass the limit together. Zero when counted, else the time until the
     * window closes.
     */
    Uni<Duration> take(String key, long limit, Duration window);

    /** Takes back one counted by {@link #take} (the action it allowed changed nothing). */
    Uni<Void> giveBack(String key);

    /**
     * Takes up to {@code want} tokens from the key's bucket, which holds at most {@code burst} and
     * gains {@code rate} per second (a generic cell-rate algorithm: one timestamp per key).
     */
    Uni<Grant> lease(String key, int want, int rate, int burst);
}

package dev.parley.auth;

import java.time.Duration;
import java.util.List;

import io.smallrye.mutiny.Uni;

/**
 * Fixed-window counters of attempts per key (failed logins per username or address, registrations
 * per address), for {@link LoginThrottle}.
 *
 * <p>Guarantee: a count never exceeds the attempts added in its window; it may fall short of them
 * when the store lost state (a Redis restart, an instance restart for the in-process store). Counts
 * are shared by every instance only with the Redis store.
 */
public interface AttemptCounters {

    /** A key's attempts in its open window and the time until that window closes (zero when none is open). */
    record Window(long count, Duration left) {
    }

    /** The windows of the keys, in order. */
    Uni<List<Window>> read(List<String> keys);

    /** Counts one attempt for each key, opening a window of {@code window} for a key that has none. */
    Uni<Void> add(List<String> keys, Duration window);

    /** Forgets the key's attempts (a successful login clears its username's failures). */
    Uni<Void> reset(String key);
}

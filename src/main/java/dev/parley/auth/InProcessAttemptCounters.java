package dev.parley.auth;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import io.smallrye.mutiny.Uni;

/**
 * The counters in this instance's memory: the store without Redis, and the stand-in while Redis is
 * unreachable. Closed windows are dropped as they are met and, in bulk, once the map grows large.
 */
public class InProcessAttemptCounters implements AttemptCounters {

    private static final int SWEEP_ABOVE = 10_000;

    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    private record Counter(long count, long closesAtNanos) {
    }

    @Override
    public Uni<List<Window>> read(List<String> keys) {
        long now = System.nanoTime();
        List<Window> windows = new ArrayList<>(keys.size());
        for (String key : keys) {
            Counter c = counters.get(key);
            windows.add(c == null || c.closesAtNanos() - now <= 0 ? new Window(0, Duration.ZERO)
                    : new Window(c.count(), Duration.ofNanos(c.closesAtNanos() - now)));
        }
        return Uni.createFrom().item(windows);
    }

    @Override
    public Uni<Void> add(List<String> keys, Duration window) {
        long now = System.nanoTime();
        for (String key : keys) {
            counters.compute(key, (k, c) -> c == null || c.closesAtNanos() - now <= 0
                    ? new Counter(1, now + window.toNanos())
                    : new Counter(c.count() + 1, c.closesAtNanos()));
        }
        if (counters.size() > SWEEP_ABOVE) {
            counters.values().removeIf(c -> c.closesAtNanos() - now <= 0);
        }
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> reset(String key) {
        counters.remove(key);
        return Uni.createFrom().voidItem();
    }
}

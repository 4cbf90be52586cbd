package dev.parley.limit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import io.smallrye.mutiny.Uni;

/**
 * The counters in this instance's memory: the store without Redis, and the stand-in while Redis is
 * unreachable. Closed windows and full buckets are dropped as they are met and, in bulk, once the
 * map grows large. Every operation only touches memory: safe on the event loop.
 */
public class InProcessCounters implements Counters {

    private static final int SWEEP_ABOVE = 10_000;
    private static final long SECOND = 1_000_000_000L;

    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    // key -> theoretical arrival time of the bucket (nanoTime), see lease
    private final ConcurrentHashMap<String, Long> buckets = new ConcurrentHashMap<>();

    private record Counter(long count, long closesAtNanos) {
        boolean open(long now) {
            return closesAtNanos - now > 0;
        }
    }

    @Override
    public Uni<List<Window>> read(List<String> keys) {
        long now = System.nanoTime();
        List<Window> windows = new ArrayList<>(keys.size());
        for (String key : keys) {
            Counter c = counters.get(key);
            windows.add(c == null || !c.open(now) ? new Window(0, Duration.ZERO)
                    : new Window(c.count(), Duration.ofNanos(c.closesAtNanos() - now)));
        }
        return Uni.createFrom().item(windows);
    }

    @Override
    public Uni<Void> add(List<String> keys, Duration window) {
        long now = System.nanoTime();
        for (String key : keys) {
            counters.compute(key, (k, c) -> c == null || !c.open(now)
                    ? new Counter(1, now + window.toNanos())
                    : new Counter(c.count() + 1, c.closesAtNanos()));
        }
        sweep(now);
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> reset(String key) {
        counters.remove(key);
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Duration> take(String key, long limit, Duration window) {
        long now = System.nanoTime();
        Duration[] refused = { Duration.ZERO };
        counters.compute(key, (k, c) -> {
            if (c == null || !c.open(now)) {
                return new Counter(1, now + window.toNanos());
            }
            if (c.count() >= limit) {
                refused[0] = Duration.ofNanos(c.closesAtNanos() - now);
                return c;
            }
            return new Counter(c.count() + 1, c.closesAtNanos());
        });
        sweep(now);
        return Uni.createFrom().item(refused[0]);
    }

    @Override
    public Uni<Void> giveBack(String key) {
        long now = System.nanoTime();
        counters.computeIfPresent(key, (k, c) -> c.open(now) && c.count() > 0
                ? new Counter(c.count() - 1, c.closesAtNanos()) : c);
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Grant> lease(String key, int want, int rate, int burst) {
        long now = System.nanoTime();
        long interval = Math.max(1, SECOND / rate);
        long capacity = burst * interval;
        Grant[] grant = new Grant[1];
        buckets.compute(key, (k, previous) -> {
            long tat = previous == null || previous < now ? now : previous;
            long free = (now + capacity - tat) / interval;
            int n = (int) Math.min(want, free);
            if (n <= 0) {
                grant[0] = new Grant(0, Duration.ofNanos(tat + interval - capacity - now));
                return previous;
            }
            grant[0] = new Grant(n, Duration.ZERO);
            return tat + n * interval;
        });
        if (buckets.size() > SWEEP_ABOVE) {
            // a bucket whose time has passed is full again: the same as no entry
            buckets.values().removeIf(tat -> tat - now <= 0);
        }
        return Uni.createFrom().item(grant[0]);
    }

    private void sweep(long now) {
        if (counters.size() > SWEEP_ABOVE) {
            counters.values().removeIf(c -> !c.open(now));
        }
    }
}

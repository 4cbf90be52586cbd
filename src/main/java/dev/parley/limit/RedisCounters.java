package dev.parley.limit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * The counters in Redis, shared by every instance: one key per counter under Parley's prefix, a
 * window's TTL its length, a bucket one timestamp on Redis's own clock (so instances' clocks need
 * not agree). Every operation is one script, atomic, sent without waiting on any thread.
 *
 * <p>Redis down fails open to this instance: while Redis does not answer (or answered with an error
 * less than {@link #RETRY_AFTER} ago) every operation goes to an {@link InProcessCounters}, so logins,
 * chat and room creation keep working and each limit holds per instance instead of in total. The
 * pause keeps an outage from costing every request a timeout.
 */
public class RedisCounters implements Counters {

    private static final Logger LOG = Logger.getLogger(RedisCounters.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final long RETRY_AFTER = 5_000_000_000L;

    private static final String TAKE = """
            local n = tonumber(redis.call('GET', KEYS[1]) or '0')
            if n >= tonumber(ARGV[1]) then
              local left = redis.call('PTTL', KEYS[1])
              if left > 0 then return left end
              redis.call('SET', KEYS[1], 1, 'PX', ARGV[2])
              return 0
            end
            if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            return 0
            """;

    private static final String GIVE_BACK = """
            if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
            return 0
            """;

    // ARGV: tokens wanted, microseconds per token, burst. Returns {granted, microseconds to wait}.
    private static final String LEASE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local interval = tonumber(ARGV[2])
            local capacity = tonumber(ARGV[3]) * interval
            local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
            if tat < now then tat = now end
            local n = math.min(tonumber(ARGV[1]), math.floor((now + capacity - tat) / interval))
            if n <= 0 then return {0, tat + interval - capacity - now} end
            tat = tat + n * interval
            redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
            return {n, 0}
            """;

    private final ReactiveRedisDataSource redis;
    private final String prefix;
    private final Counters fallback = new InProcessCounters();
    private volatile long downSince;
    private volatile boolean down;

    public RedisCounters(ReactiveRedisDataSource redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    @Override
    public Uni<List<Window>> read(List<String> keys) {
        return guarded(() -> {
            List<Uni<Response>> replies = new ArrayList<>();
            for (String key : keys) {
                // GET and PTTL of one key, atomically
                replies.add(redis.execute("EVAL", "return {redis.call('GET', KEYS[1]) or '0', redis.call('PTTL', KEYS[1])}",
                        "1", prefix + key));
            }
            return Uni.join().all(replies).andFailFast().map(all -> {
                List<Window> windows = new ArrayList<>(all.size());
                for (Response r : all) {
                    long count = Long.parseLong(r.get(0).toString());
                    long ttl = r.get(1).toLong();
                    windows.add(ttl <= 0 ? new Window(0, Duration.ZERO) : new Window(count, Duration.ofMillis(ttl)));
                }
                return windows;
            });
        }, () -> fallback.read(keys));
    }

    @Override
    public Uni<Void> add(List<String> keys, Duration window) {
        return guarded(() -> {
            List<Uni<Response>> replies = new ArrayList<>();
            for (String key : keys) {
                // INCR, and a TTL for a counter that just started
                replies.add(redis.execute("EVAL",
                        "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n",
                        "1", prefix + key, String.valueOf(window.toMillis())));
            }
            return Uni.join().all(replies).andFailFast().replaceWithVoid();
        }, () -> fallback.add(keys, window));
    }

    @Override
    public Uni<Void> reset(String key) {
        return guarded(() -> redis.execute("DEL", prefix + key).replaceWithVoid(), () -> fallback.reset(key));
    }

    @Override
    public Uni<Duration> take(String key, long limit, Duration window) {
        return guarded(() -> redis.execute("EVAL", TAKE, "1", prefix + key, Long.toString(limit),
                Long.toString(window.toMillis())).map(r -> Duration.ofMillis(r.toLong())),
                () -> fallback.take(key, limit, window));
    }

    @Override
    public Uni<Void> giveBack(String key) {
        return guarded(() -> redis.execute("EVAL", GIVE_BACK, "1", prefix + key).replaceWithVoid(),
                () -> fallback.giveBack(key));
    }

    @Override
    public Uni<Grant> lease(String key, int want, int rate, int burst) {
        return guarded(() -> redis.execute("EVAL", LEASE, "1", prefix + key, Integer.toString(want),
                Long.toString(Math.max(1, 1_000_000L / rate)), Integer.toString(burst))
                .map(r -> new Grant(r.get(0).toInteger(), Duration.ofNanos(r.get(1).toLong() * 1000))),
                () -> fallback.lease(key, want, rate, burst));
    }

    private <T> Uni<T> guarded(Supplier<Uni<T>> viaRedis, Supplier<Uni<T>> inProcess) {
        return CallerContext.resumeOnCaller(Uni.createFrom().deferred(() -> {
            if (down && System.nanoTime() - downSince < RETRY_AFTER) {
                return inProcess.get();
            }
            return viaRedis.get()
                    .ifNoItem().after(TIMEOUT).fail()
                    .invoke(() -> down = false)
                    .onFailure().recoverWithUni(e -> {
                        if (!down) {
                            LOG.warnf("Redis counters unavailable (%s); limits count in this instance for now", e.toString());
                        }
                        downSince = System.nanoTime();
                        down = true;
                        return inProcess.get();
                    });
        }));
    }
}

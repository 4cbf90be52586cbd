package dev.parley.auth;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * The counters in Redis, shared by every instance: one key per counter under Parley's prefix, its
 * TTL the window. While Redis does not answer, the instance counts on its own
 * ({@link InProcessAttemptCounters}): logins keep working and stay throttled per instance.
 */
public class RedisAttemptCounters implements AttemptCounters {

    private static final Logger LOG = Logger.getLogger(RedisAttemptCounters.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final ReactiveRedisDataSource redis;
    private final String prefix;
    private final AttemptCounters fallback = new InProcessAttemptCounters();

    public RedisAttemptCounters(ReactiveRedisDataSource redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix + "attempts:";
    }

    @Override
    public Uni<List<Window>> read(List<String> keys) {
        List<Uni<Response>> replies = new ArrayList<>();
        for (String key : keys) {
            // GET and PTTL of one key, atomically
            replies.add(redis.execute("EVAL", "return {redis.call('GET', KEYS[1]) or '0', redis.call('PTTL', KEYS[1])}",
                    "1", prefix + key));
        }
        return Uni.join().all(replies).andFailFast()
                .ifNoItem().after(TIMEOUT).fail()
                .map(all -> {
                    List<Window> windows = new ArrayList<>(all.size());
                    for (Response r : all) {
                        long count = Long.parseLong(r.get(0).toString());
                        long ttl = r.get(1).toLong();
                        windows.add(ttl <= 0 ? new Window(0, Duration.ZERO) : new Window(count, Duration.ofMillis(ttl)));
                    }
                    return windows;
                })
                .onFailure().recoverWithUni(e -> {
                    LOG.debugf("Redis attempt counters unavailable (%s); counting in this instance", e.getMessage());
                    return fallback.read(keys);
                });
    }

    @Override
    public Uni<Void> add(List<String> keys, Duration window) {
        List<Uni<Response>> replies = new ArrayList<>();
        for (String key : keys) {
            // INCR, and a TTL for a counter that just started
            replies.add(redis.execute("EVAL",
                    "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n",
                    "1", prefix + key, String.valueOf(window.toMillis())));
        }
        return Uni.join().all(replies).andFailFast()
                .ifNoItem().after(TIMEOUT).fail()
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> fallback.add(keys, window));
    }

    @Override
    public Uni<Void> reset(String key) {
        return redis.execute("DEL", prefix + key).ifNoItem().after(TIMEOUT).fail().replaceWithVoid()
                .onFailure().recoverWithUni(e -> fallback.reset(key));
    }
}

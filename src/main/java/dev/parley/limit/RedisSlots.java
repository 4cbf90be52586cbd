package dev.parley.limit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.jboss.logging.Logger;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;

/**
 * Slots in Redis, for every instance together: per user a sorted set of slot ids scored by the end of
 * their lease on Redis's clock; lapsed ones are dropped before counting. The key expires when no
 * instance renews anything in it. Keys carry the user in a hash tag, one slot per key.
 *
 * <p>Redis down fails open to this instance: a slot that cannot be taken in Redis is taken in an
 * {@link InProcessSlots}, so users can still connect and are held to the limit per instance; the next
 * renewal after Redis returns puts the live slots back into Redis.
 */
public class RedisSlots implements Slots {

    private static final Logger LOG = Logger.getLogger(RedisSlots.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private static final String NOW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            """;

    // ARGV: slot, limit, lease ms
    private static final String ACQUIRE = NOW + """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false
                and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
            redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
            return 1
            """;

    // ARGV: lease ms, then the slots
    private static final String RENEW = NOW + """
            local lease = tonumber(ARGV[1])
            for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + lease, ARGV[i]) end
            redis.call('PEXPIRE', KEYS[1], lease * 2)
            return 0
            """;

    private final ReactiveRedisDataSource redis;
    private final String prefix;
    private final Slots fallback = new InProcessSlots();

    public RedisSlots(ReactiveRedisDataSource redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix + "limit:connections:";
    }

    @Override
    public Uni<Boolean> acquire(String user, String slot, int limit, Duration lease) {
        return CallerContext.resumeOnCaller(redis.execute("EVAL", ACQUIRE, "1", key(user), slot, Integer.toString(limit),
                Long.toString(lease.toMillis()))
                .ifNoItem().after(TIMEOUT).fail()
                .map(r -> r.toInteger() == 1)
                .onFailure().recoverWithUni(e -> {
                    LOG.debugf("Redis connection slots unavailable (%s); counting in this instance", e.toString());
                    return fallback.acquire(user, slot, limit, lease);
                }));
    }

    @Override
    public Uni<Void> renew(String user, Collection<String> slots, Duration lease) {
        List<String> args = new ArrayList<>(4 + slots.size());
        args.add(RENEW);
        args.add("1");
        args.add(key(user));
        args.add(Long.toString(lease.toMillis()));
        args.addAll(slots);
        return redis.execute("EVAL", args.toArray(String[]::new)).ifNoItem().after(TIMEOUT).fail().replaceWithVoid();
    }

    @Override
    public Uni<Void> release(String user, String slot) {
        return fallback.release(user, slot)
                .chain(() -> redis.execute("ZREM", key(user), slot).ifNoItem().after(TIMEOUT).fail())
                .replaceWithVoid();
    }

    private String key(String user) {
        return prefix + "{" + user + "}";
    }
}

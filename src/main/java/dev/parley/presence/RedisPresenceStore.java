package dev.parley.presence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

import dev.parley.auth.UserView;

/**
 * Presence shared by every instance through Redis, as leases. Per room: a sorted set of the users
 * online, scored by when their lease ends (the latest of their instances' holds); a hash of their
 * user views (for listing them and for the offline event of a user whose instance died); and per
 * user a hash of the instances holding them, each with the end of its hold.
 *
 * <p>Each instance renews its holds every third of the lease; a crashed instance renews nothing,
 * so its holds lapse, and the next refresh by any instance with subscribers in the room drops them
 * and reports those users offline (once: the scripts run atomically). Times are Redis's own clock,
 * so the instances' clocks need not agree. All keys of a room share the hash tag {@code {room}}.
 *
 * <p>A room's calls are sent one after the other, so that a depart never overtakes the arrive
 * before it (a user who left and came back at once would otherwise stay listed offline).
 */
final class RedisPresenceStore implements PresenceStore {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    // Shared by the scripts: Redis's clock; latest(key) drops a user's lapsed holds and returns the
    // latest one left (0 if none); listed(...) gives the views of the users whose lease has not ended.
    private static final String COMMON = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local function latest(key)
              local best = 0
              local holds = redis.call('HGETALL', key)
              for k = 1, #holds, 2 do
                local v = tonumber(holds[k + 1])
                if v <= now then redis.call('HDEL', key, holds[k]) elseif v > best then best = v end
              end
              return best
            end
            local function listed(online, views)
              local ids = redis.call('ZRANGEBYSCORE', online, '(' .. now, '+inf')
              local found = {}
              for i = 1, #ids, 1000 do
                local chunk = redis.call('HMGET', views, unpack(ids, i, math.min(i + 999, #ids)))
                for _, v in ipairs(chunk) do if v then found[#found + 1] = v end end
              end
              return found
            end
            """;

    // KEYS: online set, user views, then one holder hash per user given.
    // ARGV: instance, lease ms, holder-hash key prefix, "1" to list who is online afterwards (else
    // ""), then user id and view JSON per user. Returns {came online, went offline, online or {}}.
    private static final String REFRESH = COMMON + """
            local lease = tonumber(ARGV[2])
            local ends = now + lease
            local came = {}
            for i = 3, #KEYS do
              local j = 5 + (i - 3) * 2
              local uid = ARGV[j]
              local old = redis.call('ZSCORE', KEYS[1], uid)
              if (not old) or tonumber(old) <= now then came[#came + 1] = uid end
              redis.call('HSET', KEYS[i], ARGV[1], ends)
              redis.call('PEXPIRE', KEYS[i], lease * 3)
              redis.call('ZADD', KEYS[1], 'GT', ends, uid)
              redis.call('HSET', KEYS[2], uid, ARGV[j + 1])
            end
            local gone = {}
            for _, uid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
              local key = ARGV[3] .. uid
              local best = latest(key)
              if best == 0 then
                gone[#gone + 1] = redis.call('HGET', KEYS[2], uid) or false
                redis.call('ZREM', KEYS[1], uid)
                redis.call('HDEL', KEYS[2], uid)
                redis.call('DEL', key)
              else
                redis.call('ZADD', KEYS[1], best, uid)
              end
            end
            if #KEYS > 2 then
              redis.call('PEXPIRE', KEYS[1], lease * 3)
              redis.call('PEXPIRE', KEYS[2], lease * 3)
            end
            local online = {}
            if ARGV[4] == '1' then online = listed(KEYS[1], KEYS[2]) end
            return {came, gone, online}
            """;

    // KEYS: online set, user views, the user's holder hash. ARGV: instance, user id.
    private static final String DEPART = COMMON + """
            local wasListed = redis.call('ZSCORE', KEYS[1], ARGV[2])
            redis.call('HDEL', KEYS[3], ARGV[1])
            local best = latest(KEYS[3])
            if best > 0 then
              redis.call('ZADD', KEYS[1], best, ARGV[2])
              return 0
            end
            redis.call('ZREM', KEYS[1], ARGV[2])
            redis.call('HDEL', KEYS[2], ARGV[2])
            redis.call('DEL', KEYS[3])
            if wasListed then return 1 end
            return 0
            """;

    // KEYS: online set, user views. The views of the users whose lease has not ended.
    private static final String ONLINE = COMMON + """
            return listed(KEYS[1], KEYS[2])
            """;

    private final ReactiveRedisDataSource redis;
    private final ObjectMapper mapper;
    private final String prefix;
    private final String instanceId;
    private final String leaseMillis;
    private final Map<String, CompletableFuture<?>> queues = new ConcurrentHashMap<>();

    RedisPresenceStore(ReactiveRedisDataSource redis, ObjectMapper mapper, String prefix, String instanceId,
            Duration lease) {
        this.redis = redis;
        this.mapper = mapper;
        this.prefix = prefix + "presence:";
        this.instanceId = instanceId;
        this.leaseMillis = Long.toString(lease.toMillis());
    }

    @Override
    public Uni<Arrival> arrive(String room, UserView user) {
        // one round trip: the hold, and who is online with it
        return inOrder(room, () -> eval(REFRESH, refreshKeys(room, List.of(user)), refreshArgs(room, List.of(user), true))
                .map(r -> new Arrival(r.get(0).size() > 0, users(r.get(2)))));
    }

    @Override
    public Uni<Boolean> depart(String room, String userId) {
        return inOrder(room, () -> eval(DEPART, List.of(onlineKey(room), views(room), holders(room, userId)),
                List.of(instanceId, userId)).map(r -> r.toInteger() == 1));
    }

    @Override
    public Uni<Changes> refresh(String room, Collection<UserView> here) {
        return inOrder(room, () -> eval(REFRESH, refreshKeys(room, here), refreshArgs(room, here, false)).map(r -> {
            List<String> came = new ArrayList<>();
            for (Response id : r.get(0)) {
                came.add(id.toString());
            }
            List<UserView> gone = users(r.get(1));
            return came.isEmpty() && gone.isEmpty() ? Changes.NONE : new Changes(came, gone);
        }));
    }

    @Override
    public Uni<List<UserView>> online(String room) {
        return inOrder(room, () -> eval(ONLINE, List.of(onlineKey(room), views(room)), List.of()).map(this::users));
    }

    private List<String> refreshKeys(String room, Collection<UserView> here) {
        List<String> keys = new ArrayList<>(2 + here.size());
        keys.add(onlineKey(room));
        keys.add(views(room));
        for (UserView user : here) {
            keys.add(holders(room, user.id()));
        }
        return keys;
    }

    private List<String> refreshArgs(String room, Collection<UserView> here, boolean list) {
        List<String> args = new ArrayList<>(4 + 2 * here.size());
        args.add(instanceId);
        args.add(leaseMillis);
        args.add(holders(room, ""));
        args.add(list ? "1" : "");
        for (UserView user : here) {
            args.add(user.id());
            args.add(json(user));
        }
        return args;
    }

    // User views stored as JSON; a view already dropped (nil) is skipped.
    private List<UserView> users(Response views) {
        List<UserView> users = new ArrayList<>(views.size());
        for (Response view : views) {
            if (view != null) {
                users.add(user(view.toString()));
            }
        }
        return users;
    }

    private String onlineKey(String room) {
        return prefix + "{" + room + "}";
    }

    private String views(String room) {
        return prefix + "{" + room + "}:users";
    }

    private String holders(String room, String userId) {
        return prefix + "{" + room + "}:u:" + userId;
    }

    private Uni<Response> eval(String script, List<String> keys, List<String> args) {
        String[] all = new String[2 + keys.size() + args.size()];
        all[0] = script;
        all[1] = Integer.toString(keys.size());
        int i = 2;
        for (String k : keys) {
            all[i++] = k;
        }
        for (String a : args) {
            all[i++] = a;
        }
        return redis.execute("EVAL", all).ifNoItem().after(TIMEOUT).fail();
    }

    // Starts the call at once, after the room's previous calls have finished (or failed).
    private <T> Uni<T> inOrder(String room, Supplier<Uni<T>> call) {
        CompletableFuture<T> done = new CompletableFuture<>();
        CompletableFuture<?> previous = queues.put(room, done);
        CompletionStage<?> after = previous == null ? CompletableFuture.completedFuture(null) : previous;
        after.whenComplete((v, e) -> {
            try {
                call.get().subscribe().with(done::complete, done::completeExceptionally);
            } catch (RuntimeException failed) {
                done.completeExceptionally(failed);
            }
        });
        done.whenComplete((v, e) -> queues.remove(room, done));
        return Uni.createFrom().completionStage(done);
    }

    private String json(UserView user) {
        try {
            return mapper.writeValueAsString(user);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private UserView user(String json) {
        try {
            return mapper.readValue(json, UserView.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable presence entry: " + json, e);
        }
    }
}

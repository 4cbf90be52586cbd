package dev.parley.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Redis pub/sub, one channel per room, all channels on ONE subscriber connection per instance
 * (subscribing a connection per room would not scale), publishing through a pooled client in
 * pipelined batches ({@link PublishPipeline}).
 *
 * <p>Channels are named {@code <prefix>room:{<roomId>}}: the braces are a Redis Cluster hash tag,
 * so with sharded pub/sub ({@code parley.redis.sharded=true}: SSUBSCRIBE/SPUBLISH) a room's channel
 * lives on the shard that owns its slot.
 *
 * <p>When the subscriber link drops, the broker reconnects with backoff, subscribes every room
 * again and then calls {@link Listener#onResubscribed()} so that missed events are repaired from
 * PostgreSQL.
 */
public class RedisBroker implements Broker {

    private static final Logger LOG = Logger.getLogger(RedisBroker.class);
    // Short: live delivery across instances waits for the link (the catch-up covers it meanwhile, slower).
    private static final long MAX_BACKOFF_MS = 1_000;
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final PublishPipeline publisher;
    private final RedisOptions subscriberOptions;
    private final String instanceId;
    private final String channelPrefix;
    private final boolean sharded;
    private final Map<String, Future<Void>> subscriptions = new ConcurrentHashMap<>();

    private volatile Listener listener;
    private volatile RedisConnection subscriber;
    private volatile boolean stopped;
    private long backoffMs = 100;
    private boolean everConnected;

    public RedisBroker(Vertx vertx, Redis publisher, RedisOptions subscriberOptions, String instanceId,
            String channelPrefix, boolean sharded) {
        this.vertx = vertx;
        this.publisher = new PublishPipeline(publisher, PUBLISH_TIMEOUT);
        this.subscriberOptions = subscriberOptions;
        this.instanceId = instanceId;
        this.channelPrefix = channelPrefix + "room:{";
        this.sharded = sharded;
    }

    @Override
    public void start(Listener listener) {
        this.listener = listener;
        connect();
    }

    public void stop() {
        stopped = true;
        RedisConnection current = subscriber;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public Uni<Void> publish(String room, RoomEvent event) {
        Request publish = Request.cmd(sharded ? Command.SPUBLISH : Command.PUBLISH)
                .arg(channel(room)).arg(event.encode());
        return publisher.publish(publish, event.type().endsAccess());
    }

    @Override
    public Uni<Void> subscribe(String room) {
        // Issued now, in call order, so that a subscribe and a later unsubscribe of the same room
        // reach Redis in that order; a second caller waits on the same confirmation.
        Future<Void> confirmed = subscriptions.computeIfAbsent(room, r -> {
            RedisConnection current = subscriber;
            if (current == null) {
                // link down: the reconnect subscribes every room in the map, then repairs
                return Future.succeededFuture();
            }
            return current.send(Request.cmd(sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE).arg(channel(r)))
                    .<Void>mapEmpty();
        });
        return toUni(confirmed);
    }

    @Override
    public Uni<Void> unsubscribe(String room) {
        if (subscriptions.remove(room) == null) {
            return Uni.createFrom().voidItem();
        }
        RedisConnection current = subscriber;
        if (current == null) {
            return Uni.createFrom().voidItem();
        }
        return toUni(current.send(Request.cmd(sharded ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE)
                .arg(channel(room))).<Void>mapEmpty());
    }

    private String channel(String room) {
        return channelPrefix + room + '}';
    }

    private String roomOf(String channel) {
        return channel.substring(channelPrefix.length(), channel.length() - 1);
    }

    private void connect() {
        if (stopped) {
            return;
        }
        Redis.createClient(vertx, subscriberOptions).connect()
                .onSuccess(this::connected)
                .onFailure(e -> {
                    LOG.warnf("Redis pub/sub connection failed (%s); retrying in %d ms", e.getMessage(), backoffMs);
                    retryLater();
                });
    }

    private void connected(RedisConnection connection) {
        connection.handler(this::onPush);
        connection.exceptionHandler(e -> lost(connection, e.getMessage()));
        connection.endHandler(v -> lost(connection, "connection closed"));
        subscriber = connection;
        List<String> channels = new ArrayList<>();
        for (String room : subscriptions.keySet()) {
            channels.add(channel(room));
        }
        Future<?> resubscribed = channels.isEmpty() ? Future.succeededFuture() : subscribeAll(connection, channels);
        resubscribed.onSuccess(v -> {
            backoffMs = 100;
            boolean reconnect = everConnected;
            everConnected = true;
            if (reconnect) {
                LOG.infof("Redis pub/sub link restored with %d room channels; repairing", channels.size());
                listener.onResubscribed();
            }
        }).onFailure(e -> lost(connection, e.getMessage()));
    }

    private Future<?> subscribeAll(RedisConnection connection, List<String> channels) {
        Request request = Request.cmd(sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE);
        channels.forEach(request::arg);
        return connection.send(request);
    }

    private void lost(RedisConnection connection, String why) {
        if (subscriber != connection) {
            return; // already handled for this connection
        }
        subscriber = null;
        connection.close();
        if (!stopped) {
            LOG.warnf("Redis pub/sub link lost (%s); reconnecting", why);
            retryLater();
        }
    }

    private void retryLater() {
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        vertx.setTimer(delay, t -> connect());
    }

    private void onPush(Response push) {
        if (push.size() < 3) {
            return;
        }
        String kind = push.get(0).toString();
        if (!"message".equals(kind) && !"smessage".equals(kind)) {
            return; // subscription confirmations and the like
        }
        RoomEvent event;
        try {
            event = RoomEvent.decode(push.get(2).toString());
        } catch (RuntimeException e) {
            LOG.warnf("Dropped a malformed event on %s", push.get(1));
            return;
        }
        if (instanceId.equals(event.origin())) {
            return; // delivered locally when it was published
        }
        listener.onEvent(roomOf(push.get(1).toString()), event);
    }

    private static <T> Uni<T> toUni(Future<T> future) {
        return Uni.createFrom().completionStage(future::toCompletionStage)
                .ifNoItem().after(Duration.ofSeconds(5)).fail();
    }
}

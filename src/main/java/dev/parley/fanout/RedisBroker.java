package dev.parley.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

/**
 * Redis pub/sub, one channel per room, all channels on ONE subscriber connection per instance
 * (subscribing a connection per room would not scale), publishing through a pooled client in
 * pipelined batches ({@link PublishPipeline}).
 *
 * <p>Channels are named {@code <prefix>room:{<roomId>}}: the braces are a Redis Cluster hash tag,
 * so with sharded pub/sub ({@code parley.redis.sharded=true}: SSUBSCRIBE/SPUBLISH) a room's channel
 * lives on the shard that owns its slot. Each user with connections here has a channel too,
 * {@code <prefix>user:{<userId>}}, for the events about their list of rooms; both kinds share the
 * subscriber connection and everything below.
 *
 * <p>The subscriber connection is taken from the same Quarkus-managed client as the publishes
 * ({@code quarkus.redis.*}: hosts, password, TLS, database, client type), so that every Redis
 * connection of an instance is configured in one place. A named client of its own would not do:
 * {@code quarkus.redis.<name>.*} inherits nothing from the default client, so the password and TLS
 * settings would have to be given twice. How the pool treats it (Vert.x Redis client 4.5): a
 * connection that has sent a pub/sub command is tainted, so closing it closes the socket and frees
 * its slot instead of handing it back for other commands; the pool's cleaner and recycle timeout
 * only look at idle connections, so they never close the subscriber while it is held. It holds one
 * slot of {@code quarkus.redis.max-pool-size} for as long as it is up.
 *
 * <p>When the subscriber is not subscribed (connection refused or lost, authentication refused,
 * a subscription refused), the broker reconnects with backoff, subscribes every room again and then
 * calls {@link Listener#onResubscribed()} so that missed events are repaired from PostgreSQL. It
 * logs a warning when the subscriber stops being subscribed and an info line when it is again, not
 * every attempt in between; {@link SubscriberState} tells the health check.
 */
public class RedisBroker implements Broker {

    private static final Logger LOG = Logger.getLogger(RedisBroker.class);
    // Short: live delivery across instances waits for the link (the catch-up covers it meanwhile, slower).
    private static final long MAX_BACKOFF_MS = 1_000;
    // Long: a refusal by Redis (a wrong password, a refused subscription) does not go away by itself,
    // and the Vert.x Redis client (4.5) leaves the socket of each refused handshake open, so every
    // retry costs a connection on Redis until this instance stops.
    private static final long MAX_REFUSED_BACKOFF_MS = 60_000;
    private static final List<String> TRANSIENT_ERRORS = List.of("LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN");
    private static final long FIRST_BACKOFF_MS = 100;
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final Redis client;
    private final PublishPipeline publisher;
    private final SubscriberState state;
    private final String instanceId;
    private final String channelPrefix;
    private final String userChannelPrefix;
    private final boolean sharded;
    // by channel name: rooms' and users' alike
    private final Map<String, Future<Void>> subscriptions = new ConcurrentHashMap<>();
    // Confirmations still due for the channels subscribed when the current connection came up.
    private final AtomicInteger unconfirmed = new AtomicInteger();

    private volatile Listener listener;
    private volatile RedisConnection subscriber;
    private volatile boolean stopped;
    private volatile long backoffMs = FIRST_BACKOFF_MS;
    private volatile boolean everConnected;
    private volatile boolean failureLogged;
    private volatile int resubscribed;

    /** @param client the application's Redis client: publishes go through its pool, and so does the subscriber */
    public RedisBroker(Vertx vertx, Redis client, SubscriberState state, String instanceId, String channelPrefix,
            boolean sharded) {
        this.vertx = vertx;
        this.client = client;
        this.publisher = new PublishPipeline(client, PUBLISH_TIMEOUT);
        this.state = state;
        this.instanceId = instanceId;
        this.channelPrefix = channelPrefix + "room:{";
        this.userChannelPrefix = channelPrefix + "user:{";
        this.sharded = sharded;
    }

    /** Publishes waiting behind the batch in flight (for the metrics). */
    int queuedPublishes() {
        return publisher.queued();
    }

    @Override
    public void start(Listener listener) {
        this.listener = listener;
        connect();
    }

    public void stop() {
        stopped = true;
        RedisConnection current = subscriber;
        subscriber = null;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public Uni<Void> publish(String room, RoomEvent event) {
        return publishOn(channel(room), event);
    }

    private Uni<Void> publishOn(String channel, RoomEvent event) {
        Request publish = Request.cmd(sharded ? Command.SPUBLISH : Command.PUBLISH).arg(channel).arg(event.encode());
        return publisher.publish(publish, event.type().endsAccess());
    }

    @Override
    public Uni<Void> subscribe(String room) {
        return subscribeChannel(channel(room));
    }

    @Override
    public Uni<Void> unsubscribe(String room) {
        return unsubscribeChannel(channel(room));
    }

    @Override
    public Uni<Void> publishToUser(String user, RoomEvent event) {
        return publishOn(userChannel(user), event);
    }

    @Override
    public Uni<Void> subscribeUser(String user) {
        return subscribeChannel(userChannel(user));
    }

    @Override
    public Uni<Void> unsubscribeUser(String user) {
        return unsubscribeChannel(userChannel(user));
    }

    private Uni<Void> subscribeChannel(String channel) {
        // Issued now, in call order, so that a subscribe and a later unsubscribe of the same channel
        // reach Redis in that order; a second caller waits on the same confirmation.
        Future<Void> confirmed = subscriptions.computeIfAbsent(channel, c -> {
            RedisConnection current = subscriber;
            if (current == null) {
                // link down: the reconnect subscribes every channel in the map, then repairs
                return Future.succeededFuture();
            }
            return current.send(Request.cmd(sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE).arg(c))
                    .<Void>mapEmpty();
        });
        return toUni(confirmed);
    }

    private Uni<Void> unsubscribeChannel(String channel) {
        if (subscriptions.remove(channel) == null) {
            return Uni.createFrom().voidItem();
        }
        RedisConnection current = subscriber;
        if (current == null) {
            return Uni.createFrom().voidItem();
        }
        return toUni(current.send(Request.cmd(sharded ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE)
                .arg(channel)).<Void>mapEmpty());
    }

    private String userChannel(String user) {
        return userChannelPrefix + user + '}';
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
        client.connect()
                .compose(this::authenticated)
                .onSuccess(this::connected)
                .onFailure(e -> {
                    if (!stopped) {
                        failed(describe(e), refusal(e));
                    }
                });
    }

    /**
     * The client's handshake lets a connection through unauthenticated when Redis wants a password
     * and none is configured (HELLO is refused with NOAUTH, and there is no password to send with
     * AUTH). A PING, answered before the connection enters pub/sub mode, finds that out: a refused
     * SUBSCRIBE has no reply to wait on.
     */
    private Future<RedisConnection> authenticated(RedisConnection connection) {
        return connection.send(Request.cmd(Command.PING))
                .map(pong -> connection)
                .recover(e -> {
                    connection.close();
                    return Future.failedFuture(e);
                });
    }

    private void connected(RedisConnection connection) {
        if (stopped) {
            connection.close();
            return;
        }
        connection.handler(reply -> onReply(connection, reply));
        connection.exceptionHandler(e -> lost(connection, describe(e), false));
        connection.endHandler(v -> lost(connection, "connection closed", false));
        subscriber = connection; // from now on subscribe() sends on it; the rooms already in the map are sent here
        List<String> channels = new ArrayList<>(subscriptions.keySet());
        resubscribed = channels.size();
        unconfirmed.set(channels.size());
        if (channels.isEmpty()) {
            subscribed();
            return;
        }
        subscribeAll(connection, channels).onFailure(e -> lost(connection, describe(e), refusal(e)));
    }

    private Future<?> subscribeAll(RedisConnection connection, List<String> channels) {
        Request request = Request.cmd(sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE);
        channels.forEach(request::arg);
        return connection.send(request);
    }

    /** Every channel Redis had to confirm for the new connection is confirmed. */
    private void subscribed() {
        backoffMs = FIRST_BACKOFF_MS;
        state.markSubscribed();
        boolean reconnect = everConnected;
        everConnected = true;
        boolean recovered = failureLogged;
        failureLogged = false;
        if (reconnect || recovered) {
            LOG.infof("Redis pub/sub subscriber subscribed with %d channels; repairing", resubscribed);
        }
        // Every link-up repairs: rooms subscribed while the link was down, or before it first came up,
        // may have missed events.
        listener.onResubscribed();
    }

    private void lost(RedisConnection connection, String why, boolean refused) {
        if (subscriber != connection) {
            return; // already handled for this connection
        }
        subscriber = null;
        connection.close();
        if (!stopped) {
            failed(why, refused);
        }
    }

    /**
     * Not subscribed: said once until it is subscribed again, retried with backoff meanwhile.
     *
     * @param refused Redis answered with an error, as opposed to a connection that failed or dropped
     */
    private void failed(String why, boolean refused) {
        state.markConnecting(why);
        long delay = backoffMs;
        backoffMs = Math.min(refused ? MAX_REFUSED_BACKOFF_MS : MAX_BACKOFF_MS, backoffMs * 2);
        if (!failureLogged) {
            failureLogged = true;
            LOG.warnf("Redis pub/sub subscriber not subscribed (%s): events from other instances arrive only through "
                    + "the catch-up meanwhile; retrying with backoff, logged again once subscribed", why);
        } else {
            LOG.debugf("Redis pub/sub subscriber still not subscribed (%s); retrying in %d ms", why, delay);
        }
        vertx.setTimer(delay, t -> connect());
    }

    /** An error reply that retrying soon will not change (unlike a Redis still loading its data after a restart). */
    private static boolean refusal(Throwable e) {
        if (!(e instanceof Response reply) || reply.type() != ResponseType.ERROR) {
            return false;
        }
        String message = String.valueOf(e.getMessage());
        return TRANSIENT_ERRORS.stream().noneMatch(message::startsWith);
    }

    /** Everything Redis sends on the subscriber connection: pushes, confirmations and refusals alike. */
    private void onReply(RedisConnection connection, Response reply) {
        if (connection != subscriber || reply == null) {
            return;
        }
        if (reply.type() == ResponseType.ERROR) {
            // Only (un)subscriptions go over this connection, and a refusal of one comes here, not to
            // the command (Vert.x completes those once written): which room it concerned cannot be told,
            // so the link is rebuilt, every room subscribed again and repaired, rather than left with a hole.
            lost(connection, "Redis refused a subscription: " + reply, reply instanceof Throwable e && refusal(e));
            return;
        }
        if ((reply.type() != ResponseType.PUSH && reply.type() != ResponseType.MULTI) || reply.size() == 0) {
            LOG.debugf("Ignored a reply on the Redis pub/sub connection: %s", reply);
            return;
        }
        String kind = reply.get(0).toString();
        if (("message".equals(kind) || "smessage".equals(kind)) && reply.size() == 3) {
            deliver(reply.get(1).toString(), reply.get(2).toString());
        } else if (("subscribe".equals(kind) || "ssubscribe".equals(kind))
                && unconfirmed.get() > 0 && unconfirmed.decrementAndGet() == 0) {
            subscribed();
        }
        // anything else: unsubscribe confirmations and the like
    }

    private void deliver(String channel, String payload) {
        RoomEvent event;
        try {
            event = RoomEvent.decode(payload);
        } catch (RuntimeException e) {
            LOG.warnf("Dropped a malformed event on %s", channel);
            return;
        }
        if (instanceId.equals(event.origin())) {
            return; // delivered locally when it was published
        }
        if (channel.startsWith(userChannelPrefix)) {
            listener.onUserEvent(channel.substring(userChannelPrefix.length(), channel.length() - 1), event);
            return;
        }
        listener.onEvent(roomOf(channel), event);
    }

    private static String describe(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static <T> Uni<T> toUni(Future<T> future) {
        return Uni.createFrom().completionStage(future::toCompletionStage)
                .ifNoItem().after(Duration.ofSeconds(5)).fail();
    }
}

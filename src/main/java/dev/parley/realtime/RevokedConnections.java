package dev.parley.realtime;

import java.util.LinkedHashSet;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Vertx;

import dev.parley.auth.UserRepository;
import dev.parley.auth.UserView;
import dev.parley.config.ParleyConfig;
import dev.parley.fanout.Broker;
import dev.parley.fanout.EventType;
import dev.parley.fanout.RoomEvent;
import dev.parley.fanout.RoomEventPublisher;

/**
 * Closes the open connections of revoked accounts (bots whose owner deleted them) with 1008: at once
 * when the control channel ({@link RoomEventPublisher#CONTROL}, which every instance listens to)
 * says {@code user.revoked} (the revoking instance, and every other one through the broker),
 * and every {@code parley.websocket.recheck-interval} by asking PostgreSQL about the bots connected
 * here, so that a signal lost to a broker outage still ends them.
 */
@ApplicationScoped
public class RevokedConnections {

    static final int POLICY_VIOLATION = 1008;
    private static final Logger LOG = Logger.getLogger(RevokedConnections.class);

    private final Broker broker;
    private final OpenConnections connections;
    private final UserRepository users;
    private final Vertx vertx;
    private final long intervalMillis;

    public RevokedConnections(Broker broker, OpenConnections connections, UserRepository users, Vertx vertx,
            ParleyConfig config) {
        this.broker = broker;
        this.connections = connections;
        this.users = users;
        this.vertx = vertx;
        this.intervalMillis = config.websocket().recheckInterval().toMillis();
    }

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(intervalMillis, id -> sweep());
    }

    /** Subscribes to the control channel; called once the broker's listener is connected. */
    void listen() {
        broker.subscribe(RoomEventPublisher.CONTROL).subscribe().with(v -> {
        }, e -> LOG.warnf("Subscribing to the control channel failed (%s): the broker's reconnect retries it", e.getMessage()));
    }

    /** An event of the control channel, from this instance or another. */
    void onControl(RoomEvent event) {
        if (event.type() == EventType.USER_REVOKED && event.subject() != null) {
            close(event.subject());
        }
    }

    /** Closes this instance's connections of the user. */
    public void close(String userId) {
        for (WebSocketConnection connection : connections) {
            UserView user = connection.userData().get(ConnectionUserCheck.USER);
            if (user != null && user.id().equals(userId) && connection.isOpen()) {
                connection.close(new CloseReason(POLICY_VIOLATION, "token revoked")).subscribe().with(v -> {
                }, e -> LOG.debugf("closing a revoked connection failed: %s", e.getMessage()));
            }
        }
    }

    // Only bots are ever revoked: a sweep with no bot connected asks nothing.
    private void sweep() {
        Set<String> bots = new LinkedHashSet<>();
        for (WebSocketConnection connection : connections) {
            UserView user = connection.userData().get(ConnectionUserCheck.USER);
            if (user != null && user.bot()) {
                bots.add(user.id());
            }
        }
        if (bots.isEmpty()) {
            return;
        }
        users.revokedAmong(bots.toArray(String[]::new)).subscribe().with(revoked -> revoked.forEach(this::close),
                e -> LOG.warnf("Checking connected bots for revocation failed (%s); retrying in %d ms", e.getMessage(),
                        intervalMillis));
    }
}

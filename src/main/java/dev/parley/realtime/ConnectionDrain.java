package dev.parley.realtime;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;

import dev.parley.config.ParleyConfig;

/**
 * Ends every WebSocket when the instance shuts down, so that clients reconnect to another replica at
 * once instead of hanging on a server that no longer serves them.
 * <p>
 * A permitted upgrade stops counting as an HTTP request in flight, so that Quarkus's wait for those
 * (quarkus.shutdown.timeout) ends with the last REST request, not at the timeout.
 * <p>
 * From the moment shutdown starts, upgrades are refused with 503 and new frames with
 * {@code unavailable} (nothing is stored, a retry elsewhere is safe); frames already being handled
 * get up to {@code parley.websocket.drain-timeout} to finish, so that a send being committed is
 * also acknowledged; then every connection is closed with 1001 (going away).
 */
// Quarkus's graceful shutdown only waits for HTTP requests (an upgraded one is released from its count
// here, see UpgradedRequests); nothing in it ends the sockets. Without this, clients stayed connected to a server that
// was going away and were dropped at the timeout with a plain 1000.
@Singleton
public class ConnectionDrain implements HttpUpgradeCheck {

    private static final CloseReason GOING_AWAY = new CloseReason(1001, "server shutting down");

    private static final Logger LOG = Logger.getLogger(ConnectionDrain.class);

    private final OpenConnections connections;
    private final Duration timeout;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    public ConnectionDrain(OpenConnections connections, ParleyConfig config) {
        this.connections = connections;
        this.timeout = config.websocket().drainTimeout();
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        if (draining) {
            return CheckResult.rejectUpgrade(503);
        }
        UpgradedRequests.release(context.httpRequest());
        return CheckResult.permitUpgrade();
    }

    /**
     * Whether a frame may be handled; a frame admitted must be followed by {@link #finished()}.
     * Counting before looking at the flag means the drain, which raises the flag before it waits
     * for the count, can never miss a frame it admitted.
     */
    boolean admit() {
        inFlight.incrementAndGet();
        if (draining) {
            finished();
            return false;
        }
        return true;
    }

    void finished() {
        inFlight.decrementAndGet();
    }

    /**
     * Closes a connection that opened after the drain took its list: its upgrade passed the check
     * just before the drain began. websockets-next lists a connection before its open callback runs,
     * and the drain raises its flag before listing, so every connection is closed by one or the other.
     */
    void opened(WebSocketConnection connection) {
        if (draining) {
            connection.close(GOING_AWAY).subscribe().with(ok -> {
            }, failure -> {
            });
        }
    }

    void onShutdown(@Observes ShutdownDelayInitiatedEvent event) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5); // the shutdown thread, never an event loop
        }
        int unfinished = inFlight.get();
        List<WebSocketConnection> open = connections.stream().filter(WebSocketConnection::isOpen).toList();
        CountDownLatch closed = new CountDownLatch(open.size());
        for (WebSocketConnection connection : open) {
            connection.close(GOING_AWAY).subscribe().with(ok -> closed.countDown(), failure -> closed.countDown());
        }
        boolean allClosed = closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("Shutdown: closed %d WebSocket connections with 1001%s%s", open.size(),
                unfinished > 0 ? ", " + unfinished + " frames still unanswered after " + timeout : "",
                allClosed ? "" : ", " + closed.getCount() + " closes not confirmed in time");
    }
}

package dev.parley.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;

import dev.parley.config.ParleyConfig;

/**
 * Whether every event loop still runs tasks. Each loop runs a heartbeat task of its own once a second;
 * a loop whose heartbeat is older than {@code parley.health.event-loop-stall}, or that has terminated
 * (as Netty does to a loop whose thread died of an {@link OutOfMemoryError}), makes the instance not
 * live. A wedged loop still accepts connections and then answers none of those it was given, so a
 * readiness probe that happens to land on a healthy loop would keep routing users to it: only a
 * restart helps, which is what a failing liveness probe gets from Kubernetes.
 *
 * <p>The check itself runs on a worker thread and reads timestamps only, so it answers even while
 * a loop is stuck.
 */
@Liveness
@ApplicationScoped
public class EventLoopHealthCheck implements HealthCheck {

    private static final long HEARTBEAT_MILLIS = 1000;

    private final Vertx vertx;
    private final long stallNanos;
    private final List<Heartbeat> heartbeats = new ArrayList<>();

    public EventLoopHealthCheck(Vertx vertx, ParleyConfig config) {
        this.vertx = vertx;
        this.stallNanos = config.health().eventLoopStall().toNanos();
    }

    void start(@Observes StartupEvent started) {
        for (EventExecutor loop : ((VertxInternal) vertx).getEventLoopGroup()) {
            Heartbeat beat = new Heartbeat(loop);
            beat.task = loop.scheduleAtFixedRate(beat::beat, 0, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
            heartbeats.add(beat);
        }
    }

    void stop(@Observes ShutdownEvent stopping) {
        heartbeats.forEach(beat -> beat.task.cancel(false));
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("event-loops").up()
                .withData("loops", heartbeats.size());
        long now = System.nanoTime();
        for (Heartbeat beat : heartbeats) {
            long silent = now - beat.last.get();
            if (beat.loop.isShuttingDown() || beat.loop.isTerminated()) {
                response.down().withData(beat.name(), "terminated");
            } else if (silent > stallNanos) {
                response.down().withData(beat.name(), "no task run for " + Duration.ofNanos(silent).toMillis() + " ms");
            }
        }
        return response.build();
    }

    private static final class Heartbeat {
        private final EventExecutor loop;
        private final AtomicLong last = new AtomicLong(System.nanoTime());
        private ScheduledFuture<?> task;
        private volatile String name;

        Heartbeat(EventExecutor loop) {
            this.loop = loop;
        }

        void beat() {
            if (name == null) {
                name = Thread.currentThread().getName();
            }
            last.set(System.nanoTime());
        }

        String name() {
            return name != null ? name : "event loop " + System.identityHashCode(loop);
        }
    }
}

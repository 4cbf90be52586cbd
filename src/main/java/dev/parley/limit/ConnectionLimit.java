package dev.parley.limit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

import dev.parley.config.ParleyConfig;
import dev.parley.problem.ParleyException;

/**
 * Open connections per user ({@code parley.limits.connections-per-user}), across instances: each
 * connection holds a slot from its upgrade until it closes. Slots are leases that this instance
 * renews every third of {@link #LEASE} for the connections it has, so the slots of a crashed
 * instance free themselves within the lease. A slot taken for an upgrade whose socket never opened
 * is let go after {@link #OPEN_WITHIN}.
 */
@ApplicationScoped
public class ConnectionLimit {

    static final Duration LEASE = Duration.ofSeconds(30);
    static final Duration OPEN_WITHIN = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(ConnectionLimit.class);

    private final Slots slots;
    private final Vertx vertx;
    private final int limit;
    // slot id -> what this instance holds
    private final Map<String, Held> held = new ConcurrentHashMap<>();

    private static final class Held {
        final String user;
        final long takenAt = System.nanoTime();
        volatile boolean opened;

        Held(String user) {
            this.user = user;
        }
    }

    private final LimitMetrics metrics;

    public ConnectionLimit(Slots slots, Vertx vertx, ParleyConfig config, LimitMetrics metrics) {
        this.metrics = metrics;
        this.slots = slots;
        this.vertx = vertx;
        this.limit = config.limits().connectionsPerUser();
    }

    void start(@Observes StartupEvent event) {
        if (limit > 0) {
            vertx.setPeriodic(LEASE.toMillis() / 3, id -> renew());
        }
    }

    /**
     * A slot for one more connection of the user, or {@code rate_limited} when they have the most
     * already; null when there is no limit. The slot is the caller's to {@link #opened} and {@link #release}.
     */
    public Uni<String> acquire(String user) {
        if (limit <= 0) {
            return Uni.createFrom().nullItem();
        }
        String slot = UUID.randomUUID().toString();
        return slots.acquire(user, slot, limit, LEASE).map(taken -> {
            if (taken) {
                held.put(slot, new Held(user));
            } else {
                metrics.rateLimited(LimitMetrics.CONNECTIONS);
                throw ParleyException.rateLimited("at most " + limit + " open connections per user");
            }
            return slot;
        });
    }

    /** The connection holding the slot is open: the slot stays until {@link #release}. */
    public void opened(String slot) {
        Held h = slot == null ? null : held.get(slot);
        if (h != null) {
            h.opened = true;
        }
    }

    public void release(String slot) {
        Held h = slot == null ? null : held.remove(slot);
        if (h != null) {
            slots.release(h.user, slot).subscribe().with(v -> {
            }, e -> LOG.debugf("Cannot release a connection slot now (%s); it lapses with its lease", e.toString()));
        }
    }

    private void renew() {
        long now = System.nanoTime();
        Map<String, List<String>> byUser = new HashMap<>();
        List<String> neverOpened = new ArrayList<>();
        held.forEach((slot, h) -> {
            if (!h.opened && now - h.takenAt > OPEN_WITHIN.toNanos()) {
                neverOpened.add(slot);
            } else {
                byUser.computeIfAbsent(h.user, k -> new ArrayList<>()).add(slot);
            }
        });
        neverOpened.forEach(this::release);
        byUser.forEach((user, list) -> slots.renew(user, list, LEASE).subscribe().with(v -> {
        }, e -> LOG.debugf("Cannot renew connection slots now (%s)", e.toString())));
    }
}

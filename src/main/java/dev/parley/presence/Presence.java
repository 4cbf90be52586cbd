package dev.parley.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Named;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

import dev.parley.auth.UserView;
import dev.parley.config.ParleyConfig;
import dev.parley.fanout.EventType;
import dev.parley.fanout.RoomEventPublisher;

/**
 * Who is online in each room: a user is, while at least one of their connections on any instance
 * has a live subscription to it. This instance counts its own connections per user and room and
 * tells the {@link PresenceStore} only when a user's first arrives or last leaves; changes reach the
 * room as {@code presence} events. Every third of {@code parley.presence.lease} the instance
 * renews its holds, which also drops those of instances that died.
 *
 * <p>While Redis does not answer, the instance goes by its own connections: arrivals and departures
 * are announced, and the online list is this instance's. The next renewal after Redis returns puts
 * its users back (announcing those whose lease had ended meanwhile).
 */
@ApplicationScoped
public class Presence {

    private static final Logger LOG = Logger.getLogger(Presence.class);

    private final PresenceStore store;
    private final RoomEventPublisher publisher;
    private final Vertx vertx;
    private final long refreshMillis;
    // room -> user id -> this instance's connections of that user live in the room
    private final Map<String, Map<String, Here>> here = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();

    public Presence(ParleyConfig config, Instance<ReactiveRedisDataSource> redis, ObjectMapper mapper,
            @Named("instanceId") String instanceId, RoomEventPublisher publisher, Vertx vertx) {
        this.store = config.redis().enabled()
                ? new RedisPresenceStore(redis.get(), mapper, config.redis().channelPrefix(), instanceId,
                        config.presence().lease())
                : new LocalPresenceStore();
        this.publisher = publisher;
        this.vertx = vertx;
        this.refreshMillis = Math.max(100, config.presence().lease().toMillis() / 3);
    }

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(refreshMillis, id -> refresh());
    }

    /**
     * The event every subscriber of the room gets when a user comes online or goes offline there
     * (serialized by RoomEventPublisher: registered for reflection for the native image).
     */
    @RegisterForReflection
    public record Change(String room, UserView user, String status) {
    }

    /**
     * One more of the user's connections is live in the room; completes with everyone online there
     * (the user included) once the user is recorded.
     */
    public Uni<List<UserView>> arrive(String room, UserView user) {
        Uni<PresenceStore.Arrival> recorded;
        synchronized (here) {
            Here h = here.computeIfAbsent(room, k -> new HashMap<>()).computeIfAbsent(user.id(), k -> new Here(user));
            // the store hears of a user's first connection only, and in the order of these calls
            recorded = h.connections++ == 0 ? store.arrive(room, user) : null;
        }
        if (recorded == null) {
            return online(room, user);
        }
        return recorded.invoke(arrival -> {
            if (arrival.cameOnline()) {
                announce(room, user, "online");
            }
        }).map(arrival -> withUser(arrival.online(), user)).onFailure().recoverWithItem(e -> {
            LOG.debugf("Presence store unavailable (%s); announcing %s from this instance", e.getMessage(), user.id());
            announce(room, user, "online");
            return ownUsers(room, user);
        });
    }

    /** Everyone online in the room, with the user (who is about to be) among them. */
    public Uni<List<UserView>> online(String room, UserView user) {
        return store.online(room)
                .map(users -> withUser(users, user))
                .onFailure().recoverWithItem(e -> ownUsers(room, user));
    }

    /** One of the user's connections is no longer live in the room. */
    public void depart(String room, UserView user) {
        Uni<Boolean> recorded = null;
        synchronized (here) {
            Map<String, Here> users = here.get(room);
            Here h = users == null ? null : users.get(user.id());
            if (h != null && --h.connections == 0) {
                users.remove(user.id());
                if (users.isEmpty()) {
                    here.remove(room);
                }
                recorded = store.depart(room, user.id());
            }
        }
        if (recorded != null) {
            recorded.onFailure().recoverWithItem(e -> {
                LOG.debugf("Presence store unavailable (%s); announcing %s from this instance", e.getMessage(), user.id());
                return true;
            }).subscribe().with(went -> {
                if (went) {
                    announce(room, user, "offline");
                }
            });
        }
    }

    // Renews this instance's holds in every room it has users in, one call per room, and announces
    // what the renewals found: users back after a lapse, users whose instances stopped renewing.
    private void refresh() {
        if (!refreshing.compareAndSet(false, true)) {
            return;
        }
        List<Uni<Void>> calls = new ArrayList<>();
        synchronized (here) {
            here.forEach((room, users) -> {
                List<UserView> views = new ArrayList<>(users.size());
                users.values().forEach(h -> views.add(h.user));
                calls.add(store.refresh(room, views).invoke(changes -> {
                    for (String id : changes.cameOnline()) {
                        views.stream().filter(v -> v.id().equals(id)).findFirst()
                                .ifPresent(v -> announce(room, v, "online"));
                    }
                    for (UserView gone : changes.wentOffline()) {
                        announce(room, gone, "offline");
                    }
                }).replaceWithVoid());
            });
        }
        if (calls.isEmpty()) {
            refreshing.set(false);
            return;
        }
        Uni.join().all(calls).andCollectFailures().subscribe().with(v -> refreshing.set(false), e -> {
            refreshing.set(false);
            LOG.warnf("Renewing presence failed (%s); retrying in %d ms", e.getMessage(), refreshMillis);
        });
    }

    private void announce(String room, UserView user, String status) {
        publisher.publish(room, EventType.PRESENCE, 0, user.id(), new Change(room, user, status));
    }

    private static List<UserView> withUser(List<UserView> users, UserView user) {
        for (UserView u : users) {
            if (u.id().equals(user.id())) {
                return users;
            }
        }
        List<UserView> all = new ArrayList<>(users);
        all.add(user);
        return all;
    }

    private List<UserView> ownUsers(String room, UserView user) {
        List<UserView> users = new ArrayList<>();
        synchronized (here) {
            Map<String, Here> local = here.get(room);
            if (local != null) {
                local.values().forEach(h -> users.add(h.user));
            }
        }
        return withUser(users, user);
    }

    private static final class Here {
        final UserView user;
        int connections;

        Here(UserView user) {
            this.user = user;
        }
    }
}

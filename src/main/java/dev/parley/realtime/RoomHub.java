package dev.parley.realtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

import dev.parley.auth.UserView;
import dev.parley.config.ParleyConfig;
import dev.parley.fanout.Broker;
import dev.parley.fanout.EventType;
import dev.parley.fanout.RoomEvent;
import dev.parley.fanout.RoomEventPublisher;
import dev.parley.presence.Presence;

/**
 * Where a room event reaches sockets: this instance's registry of subscribers per room, delivery to
 * them, and the broker's listener. Subscribes the broker to a room when its first local subscriber
 * arrives and unsubscribes after the last leaves, and writes each event (serialised once by the
 * publisher) to every local subscriber.
 *
 * <p>Log entries pass the room's {@link RoomGate}, which makes the live stream a faithful copy of the
 * log: every entry once, in order, without gaps; {@link LiveRepair} catches the gates up and fills
 * their gaps from PostgreSQL, and {@link AccessRecheck} ends subscriptions whose access was lost with
 * an event that never arrived. Events of the control channel go to {@link RevokedConnections}.
 */
@ApplicationScoped
public class RoomHub implements Broker.Listener {

    private static final Logger LOG = Logger.getLogger(RoomHub.class);

    private final Broker broker;
    private final RoomEventPublisher publisher;
    private final Presence presence;
    private final RevokedConnections revoked;
    private final AccessRecheck access;
    private final LiveRepair repair;
    private final Vertx vertx;
    private final long gapTimeoutMillis;
    private final RealtimeMetrics metrics;
    private final Map<String, LocalRoom> rooms = new ConcurrentHashMap<>();
    // Rooms whose channel this instance listens to for its connected members' room lists (UserFeeds),
    // besides those with local subscribers. Whether a room's channel is needed is decided under
    // `channels`, so that a subscribe and an unsubscribe of the same room reach the broker in order.
    private final Set<String> watched = ConcurrentHashMap.newKeySet();
    private final Object channels = new Object();

    public RoomHub(Broker broker, RoomEventPublisher publisher, Presence presence, RevokedConnections revoked,
            AccessRecheck access, LiveRepair repair, Vertx vertx, ParleyConfig config, RealtimeMetrics metrics) {
        this.broker = broker;
        this.publisher = publisher;
        this.presence = presence;
        this.revoked = revoked;
        this.access = access;
        this.repair = repair;
        this.vertx = vertx;
        this.gapTimeoutMillis = config.websocket().gapTimeout().toMillis();
        this.metrics = metrics;
        metrics.subscriptions(this::subscriptions);
    }

    // UserFeeds, in front of this hub, is the publisher's listener: it starts the publisher (and so
    // the broker) at an earlier priority, before any subscription.
    void start(@Observes StartupEvent event) {
        revoked.listen();
        vertx.setPeriodic(access.intervalMillis(), id -> access.recheck(this::liveSubscriptions, this::leave));
        vertx.setPeriodic(repair.intervalMillis(), id -> catchUp());
    }

    /**
     * Adds a local subscriber, not yet counted as present; completes when the broker carries the
     * room's events to this instance.
     */
    public Uni<Void> join(String room, ClientSession session) {
        synchronized (channels) {
            rooms.computeIfAbsent(room, this::localRoom).sessions.putIfAbsent(session, Boolean.FALSE);
            // every join waits for the broker's confirmation (a no-op once the room is subscribed)
            return broker.subscribe(room);
        }
    }

    /** Keeps the room's channel subscribed while a local member's room list wants its events. */
    public void watch(String room) {
        synchronized (channels) {
            if (watched.add(room) && !rooms.containsKey(room)) {
                broker.subscribe(room).subscribe().with(v -> {
                }, e -> LOG.debugf("subscribe of watched %s failed: %s (the broker's reconnect retries it)", room,
                        e.getMessage()));
            }
        }
    }

    /** No local member's room list wants the room's events any more. */
    public void unwatch(String room) {
        synchronized (channels) {
            if (watched.remove(room) && !rooms.containsKey(room)) {
                unsubscribe(room);
            }
        }
    }

    /** How many rooms this instance listens to for room lists only, or for both (for tests and metrics). */
    public int watchedRooms() {
        return watched.size();
    }

    private void unsubscribe(String room) {
        broker.unsubscribe(room).subscribe().with(v -> {
        }, e -> LOG.debugf("unsubscribe of %s failed: %s", room, e.getMessage()));
    }

    /**
     * Where a joining subscriber meets the live stream: it gets every entry after the returned seq
     * from the room's gate, and reads those up to it from PostgreSQL. {@code lastSeq} is the room's
     * newest seq, read after the subscriber was registered by {@link #join}.
     */
    public long meet(String room, long lastSeq) {
        LocalRoom local = rooms.get(room);
        return local == null ? lastSeq : local.gate.join(lastSeq);
    }

    public void leave(String room, ClientSession session) {
        boolean[] last = new boolean[1];
        boolean[] counted = new boolean[1];
        rooms.computeIfPresent(room, (k, local) -> {
            counted[0] = Boolean.TRUE.equals(local.sessions.remove(session));
            if (local.sessions.isEmpty()) {
                last[0] = true;
                return null;
            }
            return local;
        });
        if (counted[0]) {
            presence.depart(room, session.user());
        }
        if (last[0]) {
            synchronized (channels) {
                if (!rooms.containsKey(room) && !watched.contains(room)) {
                    unsubscribe(room);
                }
            }
        }
    }

    public void leaveAll(ClientSession session) {
        for (String room : List.copyOf(session.rooms())) {
            session.end(room);
            leave(room, session);
        }
    }

    /**
     * An event of this instance (from the publisher) or of another one (from the broker). Log
     * entries pass the room's gate; ephemeral events go to the subscribers at once.
     */
    @Override
    public void onEvent(String room, RoomEvent event) {
        if (RoomEventPublisher.CONTROL.equals(room)) {
            revoked.onControl(event);
            return;
        }
        LocalRoom local = rooms.get(room);
        if (local == null) {
            return;
        }
        if (event.type().isLogEntry()) {
            local.gate.offer(event);
            return;
        }
        if (event.type() == EventType.TYPING && !local.typingDue(event.subject())) {
            return; // the same user typed here less than 2 s ago (from another connection)
        }
        for (ClientSession session : local.sessions.keySet()) {
            session.deliver(room, event);
        }
        if (event.type() == EventType.ROOM_DELETED) {
            for (ClientSession session : List.copyOf(local.sessions.keySet())) {
                session.end(room);
                leave(room, session);
            }
        } else if (event.type() == EventType.MEMBER_LEFT && event.subject() != null) {
            for (ClientSession session : List.copyOf(local.sessions.keySet())) {
                if (event.subject().equals(session.user().id())) {
                    session.end(room);
                    leave(room, session);
                }
            }
        }
    }

    /** The broker link is back: entries may have been missed; each room's gate fetches what it lacks. */
    @Override
    public void onResubscribed() {
        catchUp();
    }

    /**
     * Counts the session's user as present in the room (its subscription is about to go live) and
     * completes with everyone online there, on any instance, the caller included.
     */
    public Uni<List<UserView>> goLive(String room, ClientSession session) {
        LocalRoom local = rooms.get(room);
        if (local != null && local.sessions.replace(session, Boolean.FALSE, Boolean.TRUE)) {
            return presence.arrive(room, session.user());
        }
        return presence.online(room, session.user()); // subscribed again: counted already
    }

    /** How many sessions of this instance listen to the room (for tests and metrics). */
    public int localSubscribers(String room) {
        LocalRoom local = rooms.get(room);
        return local == null ? 0 : local.sessions.size();
    }

    /** Every subscription of this instance, live or catching up: read from the rooms' own registries. */
    private int subscriptions() {
        int count = 0;
        for (LocalRoom local : rooms.values()) {
            count += local.sessions.size();
        }
        return count;
    }

    // Every live subscription here, for the periodic access re-check.
    private List<AccessRecheck.LiveSubscription> liveSubscriptions() {
        List<AccessRecheck.LiveSubscription> live = new ArrayList<>();
        rooms.forEach((room, local) -> local.addLive(room, live));
        return live;
    }

    private void leave(AccessRecheck.LiveSubscription ended) {
        leave(ended.room(), ended.session());
    }

    // Rooms whose gate is placed (a subscriber met it): those the catch-up asks about.
    private void catchUp() {
        repair.catchUp(() -> {
            List<String> joined = new ArrayList<>();
            rooms.forEach((room, local) -> {
                if (local.gate.forwarded() >= 0) {
                    joined.add(room);
                }
            });
            return joined;
        }, room -> {
            LocalRoom local = rooms.get(room);
            return local == null ? null : local.gate;
        });
    }

    private void fill(String room, LocalRoom local, long after, long upTo) {
        List<AccessRecheck.LiveSubscription> live = new ArrayList<>();
        local.addLive(room, live);
        repair.fill(room, local.gate, after, upTo, live, this::leave);
    }

    // The entry's delivery latency is taken once per entry here, when its writes to this instance's
    // subscribers have been issued (see RealtimeMetrics#delivered); a subscriber still catching up
    // gets it later, with its replay. Entries read back by a repair carry no commit time.
    private void forward(String room, LocalRoom local, RoomEvent entry) {
        local.forward(room, entry);
        if (entry.committedAt() > 0 && !local.sessions.isEmpty()) {
            metrics.delivered(publisher.isLocal(entry), System.currentTimeMillis() - entry.committedAt());
        }
    }

    private LocalRoom localRoom(String room) {
        LocalRoom[] created = new LocalRoom[1];
        created[0] = new LocalRoom(new RoomGate(
                entry -> forward(room, created[0], entry),
                (after, upTo) -> fill(room, created[0], after, upTo),
                (millis, task) -> vertx.setTimer(millis, id -> task.run()),
                gapTimeoutMillis, metrics::gateHeld));
        return created[0];
    }

    /**
     * One room's subscribers on this instance. A session is in {@code sessions} from the start of its
     * subscribe (so no event is missed while it catches up) and counts towards presence once live.
     */
    private static final class LocalRoom {
        /** Each session, and whether it is counted as present. */
        final Map<ClientSession, Boolean> sessions = new ConcurrentHashMap<>();
        final RoomGate gate;

        LocalRoom(RoomGate gate) {
            this.gate = gate;
        }

        private final Map<String, Long> lastTyping = new ConcurrentHashMap<>();

        // At most one typing event per user and 2 s, whichever of the user's connections sent it.
        boolean typingDue(String user) {
            long now = System.nanoTime();
            boolean[] due = new boolean[1];
            lastTyping.compute(user, (k, last) -> {
                due[0] = last == null || now - last >= ClientSession.TYPING_EVERY_NANOS;
                return due[0] ? now : last;
            });
            return due[0];
        }

        void addLive(String room, List<AccessRecheck.LiveSubscription> live) {
            for (ClientSession session : sessions.keySet()) {
                ClientSession.Subscription s = session.liveSubscription(room);
                if (s != null) {
                    live.add(new AccessRecheck.LiveSubscription(room, session, s));
                }
            }
        }

        void forward(String room, RoomEvent entry) {
            for (ClientSession session : sessions.keySet()) {
                session.deliver(room, entry);
            }
        }
    }
}

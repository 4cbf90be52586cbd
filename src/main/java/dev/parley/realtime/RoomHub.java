package dev.parley.realtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

import dev.parley.auth.UserView;
import dev.parley.config.ParleyConfig;
import dev.parley.fanout.Broker;
import dev.parley.fanout.EventType;
import dev.parley.fanout.RoomEvent;
import dev.parley.fanout.RoomEventPublisher;
import dev.parley.message.LogEntryView;
import dev.parley.message.MessageService;
import dev.parley.presence.Presence;
import dev.parley.room.RoomAccess;
import dev.parley.room.RoomEvents;
import dev.parley.room.RoomService;

/**
 * Where a room event reaches sockets. Keeps this instance's subscribers per room, subscribes the
 * broker to a room when its first local subscriber arrives and unsubscribes after the last leaves,
 * and writes each event (serialised once by the publisher) to every local subscriber.
 *
 * <p>Log entries pass the room's {@link RoomGate}, which makes the live stream a faithful copy of the
 * log: every entry once, in order, without gaps, repaired from PostgreSQL when an entry does not
 * arrive; every {@code parley.websocket.catch-up-interval}, and when the broker link returns, the
 * newest seq of every room with local subscribers is read in one query, so that no room stays
 * behind after a publish lost right before it fell silent.
 *
 * <p>Access is not left to events alone: a {@code member.left} or {@code room.deleted} that never
 * arrived (a publish lost to a Redis outage or a full queue) would leave a subscriber listening to a
 * room it may no longer read. So every {@code parley.websocket.recheck-interval}, and before any
 * repair from PostgreSQL, the hub asks in one query whether each live subscriber may
 * still read its room, and ends the subscriptions of those who may not, telling them as the lost
 * event would have.
 */
@ApplicationScoped
public class RoomHub implements Broker.Listener {

    private static final Logger LOG = Logger.getLogger(RoomHub.class);
    private static final int REPAIR_PAGE = 500;

    private final Broker broker;
    private final RoomEventPublisher publisher;
    private final MessageService messages;
    private final RoomService roomService;
    private final Presence presence;
    private final RevokedConnections revoked;
    private final Vertx vertx;
    private final long recheckMillis;
    private final long catchUpMillis;
    private final long gapTimeoutMillis;
    private final Counter repairs;
    private final RealtimeMetrics metrics;
    private final Map<String, LocalRoom> rooms = new ConcurrentHashMap<>();
    // Rooms whose channel this instance listens to for its connected members' room lists (UserFeeds),
    // besides those with local subscribers. Whether a room's channel is needed is decided under
    // `channels`, so that a subscribe and an unsubscribe of the same room reach the broker in order.
    private final Set<String> watched = ConcurrentHashMap.newKeySet();
    private final Object channels = new Object();
    private final AtomicBoolean rechecking = new AtomicBoolean();
    private final AtomicBoolean catchingUp = new AtomicBoolean();

    public RoomHub(Broker broker, RoomEventPublisher publisher, MessageService messages, RoomService roomService,
            Presence presence, RevokedConnections revoked, Vertx vertx, ParleyConfig config, MeterRegistry registry,
            RealtimeMetrics metrics) {
        this.metrics = metrics;
        this.broker = broker;
        this.revoked = revoked;
        this.publisher = publisher;
        this.messages = messages;
        this.roomService = roomService;
        this.presence = presence;
        this.vertx = vertx;
        this.recheckMillis = config.websocket().recheckInterval().toMillis();
        this.catchUpMillis = config.websocket().catchUpInterval().toMillis();
        this.gapTimeoutMillis = config.websocket().gapTimeout().toMillis();
        this.repairs = Counter.builder("parley.live.repairs")
                .description("Ranges of a room's log fetched from PostgreSQL to fill a gap in the live stream")
                .register(registry);
        metrics.subscriptions(this::subscriptions);
    }

    // UserFeeds, in front of this hub, is the publisher's listener.
    void start(@Observes StartupEvent event) {
        broker.subscribe(RoomEventPublisher.CONTROL).subscribe().with(v -> {
        }, e -> LOG.warnf("Subscribing to the control channel failed (%s): the broker's reconnect retries it", e.getMessage()));
        vertx.setPeriodic(recheckMillis, id -> recheck());
        vertx.setPeriodic(catchUpMillis, id -> catchUp());
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
            if (event.type() == EventType.USER_REVOKED && event.subject() != null) {
                revoked.close(event.subject());
            }
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

    // One query for every live (room, user) pair here.
    private void recheck() {
        if (!rechecking.compareAndSet(false, true)) {
            return;
        }
        List<Live> live = new ArrayList<>();
        rooms.forEach((room, local) -> local.sessions.keySet().forEach(session -> {
            ClientSession.Subscription s = session.liveSubscription(room);
            if (s != null) {
                live.add(new Live(room, session, s));
            }
        }));
        Uni<Void> checked = live.isEmpty() ? Uni.createFrom().voidItem() : endLostAccess(live);
        checked.subscribe().with(v -> rechecking.set(false), e -> {
            rechecking.set(false);
            LOG.warnf("Re-checking subscribers' access failed (%s); retrying in %d ms", e.getMessage(), recheckMillis);
        });
    }

    private List<Live> liveIn(String room, LocalRoom local) {
        List<Live> live = new ArrayList<>();
        for (ClientSession session : local.sessions.keySet()) {
            ClientSession.Subscription s = session.liveSubscription(room);
            if (s != null) {
                live.add(new Live(room, session, s));
            }
        }
        return live;
    }

    // The newest seq of every room with local subscribers, in one query: a gate that is behind
    // fetches the rest. Bounds how long a room stays behind after a lost publish.
    private void catchUp() {
        if (!catchingUp.compareAndSet(false, true)) {
            return;
        }
        List<String> joined = new ArrayList<>();
        rooms.forEach((room, local) -> {
            if (local.gate.forwarded() >= 0) {
                joined.add(room);
            }
        });
        Uni<Map<String, Long>> lastSeqs = joined.isEmpty() ? Uni.createFrom().item(Map.of())
                : roomService.lastSeqs(joined.toArray(String[]::new));
        lastSeqs.subscribe().with(seqs -> {
            catchingUp.set(false);
            seqs.forEach((room, seq) -> {
                LocalRoom local = rooms.get(room);
                if (local != null) {
                    local.gate.expect(seq);
                }
            });
        }, e -> {
            catchingUp.set(false);
            LOG.warnf("Reading the rooms' newest seqs failed (%s); retrying in %d ms", e.getMessage(), catchUpMillis);
        });
    }

    private Uni<Void> endLostAccess(List<Live> live) {
        Map<String, Integer> pairIndex = new HashMap<>();
        List<String> pairRooms = new ArrayList<>();
        List<String> pairUsers = new ArrayList<>();
        for (Live l : live) {
            pairIndex.computeIfAbsent(l.room() + ' ' + l.session().user().id(), k -> {
                pairRooms.add(l.room());
                pairUsers.add(l.session().user().id());
                return pairRooms.size() - 1;
            });
        }
        return roomService.accessAll(pairRooms.toArray(String[]::new), pairUsers.toArray(String[]::new))
                .invoke(access -> {
                    for (Live l : live) {
                        RoomAccess a = access.get(pairIndex.get(l.room() + ' ' + l.session().user().id()));
                        if (!a.canRead() && l.session().endIfCurrent(l.room(), l.subscription())) {
                            LOG.debugf("Ended a subscription of %s to %s: access lost", l.session().user().id(), l.room());
                            l.session().writeEvent(a.exists()
                                    ? publisher.frame(EventType.MEMBER_LEFT,
                                            new RoomEvents.MemberEvent(l.room(), l.session().user(), "removed"))
                                    : publisher.frame(EventType.ROOM_DELETED, new RoomEvents.RoomDeleted(l.room())));
                            leave(l.room(), l.session());
                        }
                    }
                })
                .replaceWithVoid();
    }

    private record Live(String room, ClientSession session, ClientSession.Subscription subscription) {
    }

    // Fills a gap of the room's live stream from PostgreSQL. The access of the room's subscribers is
    // checked first: entries missed with a lost member.left must not reach the member it removed.
    private void repair(String room, LocalRoom local, long after, long upTo) {
        repairs.increment();
        List<Live> live = liveIn(room, local);
        Uni<Void> access = live.isEmpty() ? Uni.createFrom().voidItem() : endLostAccess(live);
        access.chain(() -> fetch(room, local, after, upTo)).subscribe().with(v -> local.gate.repaired(true), e -> {
            LOG.warnf("Filling a gap of room %s (%d..%d) failed: %s", room, after + 1, upTo, e.getMessage());
            local.gate.repaired(false);
        });
    }

    private Uni<Void> fetch(String room, LocalRoom local, long after, long upTo) {
        int page = (int) Math.min(REPAIR_PAGE, upTo - after);
        return messages.entries(room, after, upTo, page).chain(entries -> {
            metrics.repaired(entries.size());
            long last = after;
            for (LogEntryView.Entry e : entries) {
                local.gate.offer(publisher.event(e.type(), e.seq(), null, e.payload()));
                last = e.seq();
            }
            return entries.size() == page && last < upTo ? fetch(room, local, last, upTo) : Uni.createFrom().voidItem();
        });
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
                (after, upTo) -> repair(room, created[0], after, upTo),
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

        void forward(String room, RoomEvent entry) {
            for (ClientSession session : sessions.keySet()) {
                session.deliver(room, entry);
            }
        }
    }
}

package dev.parley.realtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

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
import dev.parley.message.MessageService;
import dev.parley.message.MessageView;
import dev.parley.room.RoomAccess;
import dev.parley.room.RoomEvents;
import dev.parley.room.RoomService;

/**
 * Where a room event reaches sockets. Keeps this instance's subscribers per room, subscribes the
 * broker to a room when its first local subscriber arrives and unsubscribes after the last leaves,
 * and writes each event (serialised once by the publisher) to every local subscriber.
 *
 * <p>Access is not left to events alone: a {@code member.left} or {@code room.deleted} that never
 * arrived (a publish lost to a Redis outage or a full queue) would leave a subscriber listening to a
 * room it may no longer read. So every {@code parley.websocket.recheck-interval}, and before any
 * repair after the broker link returns, the hub asks in one query whether each live subscriber may
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
    private final Vertx vertx;
    private final long recheckMillis;
    private final Map<String, LocalRoom> rooms = new ConcurrentHashMap<>();
    private final AtomicBoolean repairDue = new AtomicBoolean();
    private final AtomicBoolean rechecking = new AtomicBoolean();

    public RoomHub(Broker broker, RoomEventPublisher publisher, MessageService messages, RoomService roomService,
            Vertx vertx, ParleyConfig config) {
        this.broker = broker;
        this.publisher = publisher;
        this.messages = messages;
        this.roomService = roomService;
        this.vertx = vertx;
        this.recheckMillis = config.websocket().recheckInterval().toMillis();
    }

    void start(@Observes StartupEvent event) {
        publisher.start(this);
        vertx.setPeriodic(recheckMillis, id -> recheck());
    }

    /**
     * Adds a local subscriber, not yet counted as present; completes when the broker carries the
     * room's events to this instance.
     */
    public Uni<Void> join(String room, ClientSession session) {
        rooms.computeIfAbsent(room, k -> new LocalRoom()).sessions.putIfAbsent(session, Boolean.FALSE);
        // every join waits for the broker's confirmation (a no-op once the room is subscribed)
        return broker.subscribe(room);
    }

    /** Records that this instance's subscribers have the room's messages up to {@code seq}. */
    public void seen(String room, long seq) {
        LocalRoom local = rooms.get(room);
        if (local != null) {
            local.advance(seq);
        }
    }

    public void leave(String room, ClientSession session) {
        boolean[] last = new boolean[1];
        rooms.computeIfPresent(room, (k, local) -> {
            local.remove(session);
            if (local.sessions.isEmpty()) {
                last[0] = true;
                return null;
            }
            return local;
        });
        if (last[0]) {
            broker.unsubscribe(room).subscribe().with(v -> {
            }, e -> LOG.debugf("unsubscribe of %s failed: %s", room, e.getMessage()));
        }
    }

    public void leaveAll(ClientSession session) {
        for (String room : List.copyOf(session.rooms())) {
            session.end(room);
            leave(room, session);
        }
    }

    /** An event of this instance (from the publisher) or of another one (from the broker). */
    @Override
    public void onEvent(String room, RoomEvent event) {
        LocalRoom local = rooms.get(room);
        if (local == null) {
            return;
        }
        if (event.seq() > 0) {
            local.advance(event.seq());
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

    /** The broker link is back: events may have been missed. Access first, then the messages. */
    @Override
    public void onResubscribed() {
        repairDue.set(true);
        recheck();
    }

    /**
     * Counts the session's user as present in the room (its subscription is live) and returns the
     * distinct users present on this instance, the caller included.
     */
    public List<UserView> goLive(String room, ClientSession session) {
        LocalRoom local = rooms.get(room);
        if (local == null) {
            return List.of(session.user());
        }
        return local.present(session);
    }

    /** How many sessions of this instance listen to the room (for tests and metrics). */
    public int localSubscribers(String room) {
        LocalRoom local = rooms.get(room);
        return local == null ? 0 : local.sessions.size();
    }

    // One query for every live (room, user) pair here; then, if the link came back, the repair: it
    // must not replay anything to a subscriber who lost access while events were being missed.
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
        checked.subscribe().with(v -> {
            rechecking.set(false);
            if (repairDue.getAndSet(false)) {
                rooms.forEach((room, local) -> repair(room, local.forwarded));
            }
        }, e -> {
            rechecking.set(false);
            LOG.warnf("Re-checking subscribers' access failed (%s); retrying in %d ms", e.getMessage(), recheckMillis);
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

    // Replays from PostgreSQL what was committed after the last message forwarded here; subscribers
    // drop what they already have by seq.
    private void repair(String room, long after) {
        messages.after(room, after, REPAIR_PAGE).subscribe().with(missed -> {
            for (MessageView m : missed) {
                onEvent(room, publisher.event(EventType.MESSAGE, m.seq(), null, m));
            }
            if (missed.size() == REPAIR_PAGE) {
                repair(room, missed.get(missed.size() - 1).seq());
            }
        }, e -> LOG.warnf("Repair of room %s failed: %s", room, e.getMessage()));
    }

    /**
     * One room's subscribers on this instance. A session is in {@code sessions} from the start of its
     * subscribe (so no event is missed while it catches up) and counts towards presence once live;
     * presence is kept as a count per user, so answering a subscribe does not walk every session.
     */
    private static final class LocalRoom {
        /** Each session, and whether it is counted as present. */
        final Map<ClientSession, Boolean> sessions = new ConcurrentHashMap<>();
        private final Map<String, Present> present = new HashMap<>();
        volatile long forwarded;

        synchronized void advance(long seq) {
            if (seq > forwarded) {
                forwarded = seq;
            }
        }

        synchronized List<UserView> present(ClientSession session) {
            if (sessions.replace(session, Boolean.FALSE, Boolean.TRUE)) {
                present.computeIfAbsent(session.user().id(), id -> new Present(session.user())).sessions++;
            }
            List<UserView> users = new ArrayList<>(present.size());
            for (Present p : present.values()) {
                users.add(p.user);
            }
            return users;
        }

        synchronized void remove(ClientSession session) {
            if (Boolean.TRUE.equals(sessions.remove(session))) {
                Present p = present.get(session.user().id());
                if (p != null && --p.sessions == 0) {
                    present.remove(session.user().id());
                }
            }
        }
    }

    private static final class Present {
        final UserView user;
        int sessions;

        Present(UserView user) {
            this.user = user;
        }
    }
}

package dev.parley.realtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Named;

import org.jboss.logging.Logger;

import dev.parley.auth.UserView;
import dev.parley.fanout.Broker;
import dev.parley.fanout.RoomEvent;
import dev.parley.message.MessageService;
import dev.parley.message.MessageView;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/**
 * Where a room event reaches sockets. Keeps this instance's subscribers per room, subscribes the
 * broker to a room when its first local subscriber arrives and unsubscribes after the last leaves,
 * delivers local events at once and the broker's as they come, and repairs after a broker outage.
 *
 * <p>Each event is serialised once; the same string is written to every local subscriber.
 */
@ApplicationScoped
public class RoomHub implements Broker.Listener {

    private static final Logger LOG = Logger.getLogger(RoomHub.class);
    private static final int REPAIR_PAGE = 500;

    private final Broker broker;
    private final String instanceId;
    private final ServerFrames frames;
    private final MessageService messages;
    private final Map<String, LocalRoom> rooms = new ConcurrentHashMap<>();

    public RoomHub(Broker broker, @Named("instanceId") String instanceId, ServerFrames frames, MessageService messages) {
        this.broker = broker;
        this.instanceId = instanceId;
        this.frames = frames;
        this.messages = messages;
    }

    void start(@Observes StartupEvent event) {
        broker.start(this);
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

    public void publishMessage(MessageView message) {
        publish(message.room(), "message", message.seq(), null, message);
    }

    /** Delivers an event to this instance's subscribers at once, then to the other instances. */
    public void publish(String room, String type, long seq, String subject, Object payload) {
        RoomEvent event = new RoomEvent(instanceId, seq, type, subject, frames.event(type, payload));
        deliver(room, event);
        broker.publish(room, event).subscribe().with(v -> {
        }, e -> LOG.warnf("Publishing %s to room %s failed (%s): other instances repair it when their link returns",
                type, room, e.getMessage()));
    }

    @Override
    public void onEvent(String room, RoomEvent event) {
        deliver(room, event);
    }

    @Override
    public void onResubscribed() {
        rooms.forEach((room, local) -> repair(room, local.forwarded));
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

    private void deliver(String room, RoomEvent event) {
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
        if ("room.deleted".equals(event.type())) {
            for (ClientSession session : List.copyOf(local.sessions.keySet())) {
                session.end(room);
                leave(room, session);
            }
        } else if ("member.left".equals(event.type()) && event.subject() != null) {
            for (ClientSession session : List.copyOf(local.sessions.keySet())) {
                if (event.subject().equals(session.user().id())) {
                    session.end(room);
                    leave(room, session);
                }
            }
        }
    }

    // Replays from PostgreSQL what was committed after the last message forwarded here; subscribers
    // drop what they already have by seq.
    private void repair(String room, long after) {
        messages.after(room, after, REPAIR_PAGE).subscribe().with(missed -> {
            for (MessageView m : missed) {
                deliver(room, new RoomEvent(instanceId, m.seq(), "message", null, frames.event("message", m)));
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

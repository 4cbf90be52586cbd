package dev.parley.realtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;

import dev.parley.auth.UserView;
import dev.parley.fanout.EventType;
import dev.parley.fanout.RoomEvent;
import dev.parley.wire.Utf8;

/**
 * What the gateway keeps per open connection: the user, the rooms it listens to, its send budget
 * and how many bytes (UTF-8, as sent) wait in its outbound buffer. Kept small: there may be tens of thousands.
 *
 * <p>Slow consumers: every event written counts against {@code outboundLimit} until the socket has
 * taken it. A client that stops reading therefore cannot grow server memory without bound: once
 * the limit is passed the session drops all its subscriptions, writes nothing more, and the
 * connection is closed with 1013 ("try again later"); the close frame waits behind the unread data,
 * so the client sees it when it reads again, then reconnects and resumes with {@code since}.
 *
 * <p>Answers to the client's own requests are counted apart: one answer (a history page, a replay
 * with its {@code ok}) is written whole however large, and the events behind it are not charged
 * for it. Answers are refused only while more than the limit of earlier answers still waits, which
 * bounds a client that keeps asking without reading.
 */
public final class ClientSession {

    /** Close code for a client that does not keep up with its events. */
    public static final int SLOW_CONSUMER_CLOSE = 1013;

    private final UserView user;
    private final WebSocketConnection connection;
    private final long outboundLimit;
    private final SendBudget budget;
    private final AtomicLong eventBytes = new AtomicLong();
    private final AtomicLong answerBytes = new AtomicLong();
    private volatile Runnable onOverflow = () -> {
    };
    private volatile boolean overflowed;
    private volatile boolean closed;
    private final ConcurrentHashMap<String, Subscription> subscriptions = new ConcurrentHashMap<>();

    static final long TYPING_EVERY_NANOS = 2_000_000_000L;

    public ClientSession(UserView user, WebSocketConnection connection, long outboundLimit, SendBudget budget) {
        this.user = user;
        this.connection = connection;
        this.outboundLimit = outboundLimit;
        this.budget = budget;
    }

    /** What to do once the client falls too far behind (the gateway drops its subscriptions). */
    public void onOverflow(Runnable action) {
        this.onOverflow = action;
    }

    /** The connection is gone: nothing more is written, and late subscriptions undo themselves. */
    public void markClosed() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }

    public UserView user() {
        return user;
    }

    public SendBudget budget() {
        return budget;
    }

    /** Whether the room has a subscription here, live or still being opened. */
    public boolean isSubscribed(String room) {
        return subscriptions.containsKey(room);
    }

    /** Whether the room has a live subscription: authorized, its replay and ok written. */
    public boolean isLive(String room) {
        Subscription s = subscriptions.get(room);
        return s != null && s.live;
    }

    /** The room's subscription if it is live, else null. */
    public Subscription liveSubscription(String room) {
        Subscription s = subscriptions.get(room);
        return s != null && s.live ? s : null;
    }

    /** Ends the subscription if it is still {@code s}; true when it was. */
    public boolean endIfCurrent(String room, Subscription s) {
        return subscriptions.remove(room, s);
    }

    /** Whether this connection's typing in the room is due to be published: at most once per 2 s. */
    public boolean typingDue(String room) {
        Subscription s = subscriptions.get(room);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            long now = System.nanoTime();
            if (s.lastTyping != 0 && now - s.lastTyping < TYPING_EVERY_NANOS) {
                return false;
            }
            s.lastTyping = now;
            return true;
        }
    }

    public int subscriptionCount() {
        return subscriptions.size();
    }

    public Set<String> rooms() {
        return subscriptions.keySet();
    }

    /**
     * Starts a subscription in the catching-up state: live events are held back until
     * {@link #goLive} so that they follow the replayed history and the {@code ok}.
     */
    public Subscription begin(String room) {
        Subscription s = new Subscription();
        subscriptions.put(room, s);
        return s;
    }

    /** Sends what was held back, except log entries up to {@code floor} (the replay covered them). */
    public void goLive(Subscription s, long floor) {
        synchronized (s) {
            for (RoomEvent e : s.held) {
                if (e.seq() == 0 || e.seq() > floor) {
                    writeEvent(e.json(), e.bytes());
                }
            }
            s.held = null;
            s.live = true;
        }
    }

    public boolean end(String room) {
        return subscriptions.remove(room) != null;
    }

    void deliver(String room, RoomEvent event) {
        Subscription s = subscriptions.get(room);
        if (s == null) {
            return;
        }
        if (event.type() == EventType.TYPING && user.id().equals(event.subject())) {
            return; // your own typing is no news to you
        }
        synchronized (s) {
            if (s.held != null) {
                s.held.add(event);
                return;
            }
            writeEvent(event.json(), event.bytes());
        }
    }

    /** Writes one answer to a request, whole. */
    public void answer(String json) {
        answer(List.of(json));
    }

    /** Writes the frames of one answer (a replay and its {@code ok}), whole and in order. */
    public void answer(List<String> frames) {
        if (overflowed || closed) {
            return;
        }
        if (answerBytes.get() > outboundLimit) {
            overflow();
            return;
        }
        for (String json : frames) {
            int size = Utf8.length(json);
            answerBytes.addAndGet(size);
            connection.sendText(json).subscribe().with(v -> answerBytes.addAndGet(-size),
                    e -> answerBytes.addAndGet(-size));
        }
    }

    /** Writes an event, counting its UTF-8 bytes against the outbound limit until the socket has taken it. */
    public void writeEvent(String json) {
        writeEvent(json, Utf8.length(json));
    }

    private void writeEvent(String json, int size) {
        if (overflowed || closed) {
            return;
        }
        if (eventBytes.addAndGet(size) > outboundLimit) {
            overflow();
            return;
        }
        connection.sendText(json).subscribe().with(v -> eventBytes.addAndGet(-size), e -> eventBytes.addAndGet(-size));
    }

    private void overflow() {
        overflowed = true;
        onOverflow.run();
        connection.close(new CloseReason(SLOW_CONSUMER_CLOSE, "slow consumer")).subscribe().with(v -> {
        }, e -> {
        });
    }

    /** One room subscription; {@code held} is non-null while it catches up, {@code live} once it has. */
    public static final class Subscription {
        private List<RoomEvent> held = new ArrayList<>();
        private volatile boolean live;
        private long lastTyping;
    }
}

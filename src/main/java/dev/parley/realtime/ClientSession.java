package dev.parley.realtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.parley.auth.UserView;
import dev.parley.fanout.RoomEvent;
import dev.parley.wire.Utf8;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * What the gateway keeps per open connection: the user, the rooms it listens to, its send budget
 * and how many bytes (UTF-8, as sent) wait in its outbound buffer. Kept small: there may be tens of thousands.
 *
 * <p>Slow consumers: every frame written counts against {@code outboundLimit} until the socket has
 * taken it. A client that stops reading therefore cannot grow server memory without bound: once
 * the limit is passed the session drops all its subscriptions, writes nothing more, and the
 * connection is closed with 1013 ("try again later"); the close frame waits behind the unread data,
 * so the client sees it when it reads again, then reconnects and resumes with {@code since}.
 */
public final class ClientSession {

    /** Close code for a client that does not keep up with its events. */
    public static final int SLOW_CONSUMER_CLOSE = 1013;

    private final UserView user;
    private final WebSocketConnection connection;
    private final long outboundLimit;
    private final SendBudget budget;
    private final AtomicLong outboundBytes = new AtomicLong();
    private volatile Runnable onOverflow = () -> {
    };
    private volatile boolean overflowed;
    private volatile boolean closed;
    private final ConcurrentHashMap<String, Subscription> subscriptions = new ConcurrentHashMap<>();

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

    public boolean isSubscribed(String room) {
        Subscription s = subscriptions.get(room);
        return s != null;
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

    /** Sends what was held back, except messages up to {@code floor} (the replay covered them). */
    public void goLive(Subscription s, long floor) {
        synchronized (s) {
            for (RoomEvent e : s.held) {
                if (e.seq() == 0 || e.seq() > floor) {
                    write(e.json(), e.bytes());
                }
            }
            s.held = null;
        }
    }

    public boolean end(String room) {
        return subscriptions.remove(room) != null;
    }

    /** Removes the subscription only if it is still {@code s} (a newer subscribe may have replaced it). */
    public void end(String room, Subscription s) {
        subscriptions.remove(room, s);
    }

    void deliver(String room, RoomEvent event) {
        Subscription s = subscriptions.get(room);
        if (s == null) {
            return;
        }
        if ("typing".equals(event.type()) && user.id().equals(event.subject())) {
            return; // your own typing is no news to you
        }
        synchronized (s) {
            if (s.held != null) {
                s.held.add(event);
                return;
            }
            write(event.json(), event.bytes());
        }
    }

    /** Writes a frame, counting its UTF-8 bytes against the outbound limit until the socket has taken it. */
    public void write(String json) {
        write(json, Utf8.length(json));
    }

    private void write(String json, int size) {
        if (overflowed) {
            return;
        }
        if (outboundBytes.addAndGet(size) > outboundLimit) {
            overflowed = true;
            onOverflow.run();
            connection.close(new CloseReason(SLOW_CONSUMER_CLOSE, "slow consumer")).subscribe().with(v -> {
            }, e -> {
            });
            return;
        }
        connection.sendText(json).subscribe().with(v -> outboundBytes.addAndGet(-size), e -> outboundBytes.addAndGet(-size));
    }

    /** One room subscription; {@code held} is non-null while it catches up. */
    public static final class Subscription {
        private List<RoomEvent> held = new ArrayList<>();
    }
}

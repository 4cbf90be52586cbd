package dev.parley.realtime;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.StartupEvent;

import dev.parley.auth.UserView;
import dev.parley.fanout.Broker;
import dev.parley.fanout.EventType;
import dev.parley.fanout.RoomEvent;
import dev.parley.fanout.RoomEventPublisher;
import dev.parley.room.RoomEvents;
import dev.parley.room.RoomService;

/**
 * Events to a user rather than to a room: what keeps every connection's list of rooms and its unread
 * counts live without polling.
 *
 * <p>For each user with connections here, this instance listens to the user's channel (where
 * {@code room.added} and {@code room.removed} are published, once per change) and knows the rooms
 * they are a member of: read once when their first connection opens, then kept by those same events.
 * It listens to those rooms' existing channels (through {@link RoomHub#watch}), and turns each entry
 * that may change unread counts into a small {@code room.activity} for the members' connections that
 * are not subscribed to the room; a member's own {@code read} reaches their unsubscribed connections
 * as it is; a {@code room.deleted} becomes {@code room.removed}. So a message to a room of any size is
 * still one publish, and each instance writes one frame per local member connection, whatever the
 * number of instances.
 *
 * <p>These are hints, not a log: at most once, in no order across channels, not replayed. A client
 * reloads {@code GET /api/rooms} after every reconnect.
 *
 * <p>It sits in front of {@link RoomHub} as the publisher's listener: every event goes to the hub
 * first, then here.
 */
@ApplicationScoped
public class UserFeeds implements Broker.Listener {

    private static final Logger LOG = Logger.getLogger(UserFeeds.class);

    private final RoomHub hub;
    private final Broker broker;
    private final RoomEventPublisher publisher;
    private final RoomService roomService;
    private final ObjectMapper mapper;
    private final Map<String, LocalUser> users = new ConcurrentHashMap<>();
    // room → the ids of the users here who are its members
    private final Map<String, Set<String>> watchers = new ConcurrentHashMap<>();

    public UserFeeds(RoomHub hub, Broker broker, RoomEventPublisher publisher, RoomService roomService,
            ObjectMapper mapper) {
        this.hub = hub;
        this.broker = broker;
        this.publisher = publisher;
        this.roomService = roomService;
        this.mapper = mapper;
    }

    // Before RoomHub's start (default priority), whose first subscription needs the broker started.
    void start(@Observes @Priority(Interceptor.Priority.APPLICATION) StartupEvent event) {
        publisher.start(this);
    }

    /** A connection of the user opened: the first one here makes this instance follow the user. */
    public void opened(ClientSession session) {
        String userId = session.user().id();
        LocalUser[] created = new LocalUser[1];
        users.compute(userId, (k, user) -> {
            if (user == null) {
                user = new LocalUser();
                created[0] = user;
                // inside the compute: a close and a reopen of the user reach the broker in order
                broker.subscribeUser(userId).subscribe().with(v -> {
                }, e -> LOG.debugf("subscribing user %s failed: %s (the broker's reconnect retries it)", userId,
                        e.getMessage()));
            }
            user.sessions.add(session);
            return user;
        });
        if (created[0] != null) {
            LocalUser user = created[0];
            roomService.memberRoomIds(userId).subscribe().with(ids -> ids.forEach(room -> watch(user, userId, room)),
                    e -> LOG.warnf("Reading the rooms of %s failed (%s): their other rooms' activity is not followed "
                            + "until they reconnect", userId, e.getMessage()));
        }
    }

    /** A connection closed: after the user's last one here, this instance stops following them. */
    public void closed(ClientSession session) {
        String userId = session.user().id();
        LocalUser[] gone = new LocalUser[1];
        users.computeIfPresent(userId, (k, user) -> {
            if (!user.sessions.remove(session) || !user.sessions.isEmpty()) {
                return user;
            }
            gone[0] = user;
            broker.unsubscribeUser(userId).subscribe().with(v -> {
            }, e -> LOG.debugf("unsubscribing user %s failed: %s", userId, e.getMessage()));
            return null;
        });
        if (gone[0] != null) {
            synchronized (gone[0]) {
                gone[0].gone = true;
                gone[0].rooms.forEach(room -> unwatched(room, userId));
                gone[0].rooms.clear();
            }
        }
    }

    /** Whether this instance follows the room's activity for the user (for tests). */
    public boolean follows(String userId, String room) {
        Set<String> members = watchers.get(room);
        return members != null && members.contains(userId);
    }

    @Override
    public void onEvent(String room, RoomEvent event) {
        hub.onEvent(room, event);
        Set<String> members = watchers.get(room);
        if (members == null) {
            return;
        }
        switch (event.type()) {
            case MESSAGE, MESSAGE_EDITED, MESSAGE_DELETED -> activity(room, event, members);
            case READ -> {
                LocalUser user = event.subject() == null ? null : users.get(event.subject());
                if (user != null && members.contains(event.subject())) {
                    writeUnsubscribed(user, room, event.json());
                }
            }
            case ROOM_DELETED -> {
                String removed = publisher.frame(EventType.ROOM_REMOVED, new RoomEvents.RoomRemoved(room, "deleted"));
                for (String userId : List.copyOf(members)) {
                    LocalUser user = users.get(userId);
                    if (user != null) {
                        user.sessions.forEach(session -> session.writeEvent(removed));
                        unwatch(user, userId, room);
                    }
                }
            }
            case MEMBER_LEFT -> {
                // room.removed comes on the user's channel; this keeps the set right should it be lost
                LocalUser user = event.subject() == null ? null : users.get(event.subject());
                if (user != null) {
                    unwatch(user, event.subject(), room);
                }
            }
            default -> {
                // reactions, typing, presence, joins: nothing a room list counts
            }
        }
    }

    @Override
    public void onUserEvent(String userId, RoomEvent event) {
        LocalUser user = users.get(userId);
        if (user == null) {
            return;
        }
        if (event.type() == EventType.ROOM_ADDED && event.subject() != null) {
            watch(user, userId, event.subject());
        } else if (event.type() == EventType.ROOM_REMOVED && event.subject() != null) {
            unwatch(user, userId, event.subject());
        }
        user.sessions.forEach(session -> session.writeEvent(event.json()));
    }

    @Override
    public void onResubscribed() {
        hub.onResubscribed();
    }

    // One parse per entry and instance, and at most two frames (mentioning the member or not).
    private void activity(String room, RoomEvent event, Set<String> members) {
        Activity frames = null;
        for (String userId : members) {
            LocalUser user = users.get(userId);
            if (user == null) {
                continue;
            }
            String frame = null;
            for (ClientSession session : user.sessions) {
                if (session.isSubscribed(room)) {
                    continue; // it gets the entry itself
                }
                if (frame == null) {
                    if (frames == null) {
                        frames = parse(room, event);
                        if (frames == null) {
                            return;
                        }
                    }
                    frame = frames.of(userId);
                }
                session.writeEvent(frame);
            }
        }
    }

    private Activity parse(String room, RoomEvent event) {
        try {
            JsonNode entry = mapper.readTree(event.json());
            UserView author = mapper.treeToValue(entry.get("user"), UserView.class);
            Set<String> mentioned = new HashSet<>();
            for (JsonNode m : entry.path("mentions")) {
                mentioned.add(m.path("id").asText());
            }
            Long target = entry.hasNonNull("target") ? entry.get("target").asLong() : null;
            return new Activity(room, event.seq(), event.type().wire(), author, target, mentioned);
        } catch (Exception e) {
            LOG.warnf("No room.activity for entry %d of room %s: %s", event.seq(), room, e.getMessage());
            return null;
        }
    }

    private final class Activity {
        private final Set<String> mentioned;
        private final String plain;
        private String mentioning;
        private final ServerFrame.Activity payload;

        Activity(String room, long seq, String kind, UserView author, Long target, Set<String> mentioned) {
            this.mentioned = mentioned;
            this.payload = new ServerFrame.Activity(room, seq, kind, author, false, target);
            this.plain = publisher.frame(EventType.ROOM_ACTIVITY, payload);
        }

        String of(String userId) {
            if (!mentioned.contains(userId)) {
                return plain;
            }
            if (mentioning == null) {
                mentioning = publisher.frame(EventType.ROOM_ACTIVITY, new ServerFrame.Activity(payload.room(), payload.seq(),
                        payload.kind(), payload.user(), true, payload.target()));
            }
            return mentioning;
        }
    }

    private static void writeUnsubscribed(LocalUser user, String room, String json) {
        for (ClientSession session : user.sessions) {
            if (!session.isSubscribed(room)) {
                session.writeEvent(json);
            }
        }
    }

    // Under the user's lock, so that a close cannot pass a watch half done (locks: user, then room).
    private void watch(LocalUser user, String userId, String room) {
        synchronized (user) {
            if (user.gone || !user.rooms.add(room)) {
                return;
            }
            watchers.compute(room, (k, members) -> {
                if (members == null) {
                    members = ConcurrentHashMap.newKeySet();
                    hub.watch(room);
                }
                members.add(userId);
                return members;
            });
        }
    }

    private void unwatch(LocalUser user, String userId, String room) {
        synchronized (user) {
            if (user.rooms.remove(room)) {
                unwatched(room, userId);
            }
        }
    }

    private void unwatched(String room, String userId) {
        watchers.computeIfPresent(room, (k, members) -> {
            members.remove(userId);
            if (members.isEmpty()) {
                hub.unwatch(room);
                return null;
            }
            return members;
        });
    }

    /** One user's connections here and the rooms they are a member of. */
    private static final class LocalUser {
        final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
        final Set<String> rooms = new HashSet<>();
        boolean gone;
    }
}

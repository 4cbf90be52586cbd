package dev.parley.realtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

import dev.parley.config.ParleyConfig;
import dev.parley.fanout.EventType;
import dev.parley.fanout.RoomEventPublisher;
import dev.parley.room.RoomAccess;
import dev.parley.room.RoomEvents;
import dev.parley.room.RoomService;

/**
 * Access is not left to events alone: a {@code member.left} or {@code room.deleted} that never
 * arrived (a publish lost to a Redis outage or a full queue) would leave a subscriber listening to a
 * room it may no longer read. So every {@code parley.websocket.recheck-interval}, and before any
 * repair from PostgreSQL ({@link LiveRepair}), this asks in one query whether each live subscriber
 * may still read its room, and ends the subscriptions of those who may not, telling them as the lost
 * event would have.
 */
@ApplicationScoped
public class AccessRecheck {

    private static final Logger LOG = Logger.getLogger(AccessRecheck.class);

    private final RoomService roomService;
    private final RoomEventPublisher publisher;
    private final long recheckMillis;
    private final AtomicBoolean rechecking = new AtomicBoolean();

    public AccessRecheck(RoomService roomService, RoomEventPublisher publisher, ParleyConfig config) {
        this.roomService = roomService;
        this.publisher = publisher;
        this.recheckMillis = config.websocket().recheckInterval().toMillis();
    }

    /** A session's live subscription to a room, as the hub's registry holds it. */
    public record LiveSubscription(String room, ClientSession session, ClientSession.Subscription subscription) {
    }

    long intervalMillis() {
        return recheckMillis;
    }

    /** The periodic re-check of every live subscription here; skipped while the previous one runs. */
    void recheck(Supplier<List<LiveSubscription>> live, Consumer<LiveSubscription> leave) {
        if (!rechecking.compareAndSet(false, true)) {
            return;
        }
        endLostAccess(live.get(), leave).subscribe().with(v -> rechecking.set(false), e -> {
            rechecking.set(false);
            LOG.warnf("Re-checking subscribers' access failed (%s); retrying in %d ms", e.getMessage(), recheckMillis);
        });
    }

    /**
     * Reads the access of every (room, user) pair of {@code live} in one query and ends the
     * subscriptions that may no longer read: each gets {@code member.left} (reason {@code removed}) or
     * {@code room.deleted}, then {@code leave} takes it out of the registry.
     */
    Uni<Void> endLostAccess(List<LiveSubscription> live, Consumer<LiveSubscription> leave) {
        if (live.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, Integer> pairIndex = new HashMap<>();
        List<String> pairRooms = new ArrayList<>();
        List<String> pairUsers = new ArrayList<>();
        for (LiveSubscription l : live) {
            pairIndex.computeIfAbsent(l.room() + ' ' + l.session().user().id(), k -> {
                pairRooms.add(l.room());
                pairUsers.add(l.session().user().id());
                return pairRooms.size() - 1;
            });
        }
        return roomService.accessAll(pairRooms.toArray(String[]::new), pairUsers.toArray(String[]::new))
                .invoke(access -> {
                    for (LiveSubscription l : live) {
                        RoomAccess a = access.get(pairIndex.get(l.room() + ' ' + l.session().user().id()));
                        if (!a.canRead() && l.session().endIfCurrent(l.room(), l.subscription())) {
                            LOG.debugf("Ended a subscription of %s to %s: access lost", l.session().user().id(), l.room());
                            l.session().writeEvent(a.exists()
                                    ? publisher.frame(EventType.MEMBER_LEFT,
                                            new RoomEvents.MemberEvent(l.room(), l.session().user(), "removed"))
                                    : publisher.frame(EventType.ROOM_DELETED, new RoomEvents.RoomDeleted(l.room())));
                            leave.accept(l);
                        }
                    }
                })
                .replaceWithVoid();
    }
}

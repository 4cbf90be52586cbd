package dev.parley.realtime;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

import dev.parley.config.ParleyConfig;
import dev.parley.fanout.RoomEventPublisher;
import dev.parley.message.LogEntryView;
import dev.parley.message.MessageService;
import dev.parley.room.RoomService;

/**
 * Where the live stream is caught up and repaired from PostgreSQL. A {@link RoomGate} that misses an
 * entry past the gap timeout asks {@link #fill} for the range; every
 * {@code parley.websocket.catch-up-interval}, and when the broker link returns, {@link #catchUp} reads
 * the newest seq of every room with local subscribers in one query, so that no room stays behind
 * after a publish lost right before it fell silent.
 */
@ApplicationScoped
public class LiveRepair {

    private static final Logger LOG = Logger.getLogger(LiveRepair.class);
    private static final int REPAIR_PAGE = 500;

    private final MessageService messages;
    private final RoomService roomService;
    private final RoomEventPublisher publisher;
    private final AccessRecheck access;
    private final RealtimeMetrics metrics;
    private final Counter repairs;
    private final long catchUpMillis;
    private final AtomicBoolean catchingUp = new AtomicBoolean();

    public LiveRepair(MessageService messages, RoomService roomService, RoomEventPublisher publisher,
            AccessRecheck access, RealtimeMetrics metrics, MeterRegistry registry, ParleyConfig config) {
        this.messages = messages;
        this.roomService = roomService;
        this.publisher = publisher;
        this.access = access;
        this.metrics = metrics;
        this.catchUpMillis = config.websocket().catchUpInterval().toMillis();
        this.repairs = Counter.builder("parley.live.repairs")
                .description("Ranges of a room's log fetched from PostgreSQL to fill a gap in the live stream")
                .register(registry);
    }

    long intervalMillis() {
        return catchUpMillis;
    }

    /**
     * Reads the newest seq of the {@code joined} rooms in one query and tells each room's current
     * gate ({@code gateOf}, null once the room has no subscriber left): a gate that is behind fetches
     * the rest. Skipped while the previous catch-up runs.
     */
    void catchUp(Supplier<List<String>> joined, Function<String, RoomGate> gateOf) {
        if (!catchingUp.compareAndSet(false, true)) {
            return;
        }
        List<String> rooms = joined.get();
        Uni<Map<String, Long>> lastSeqs = rooms.isEmpty() ? Uni.createFrom().item(Map.of())
                : roomService.lastSeqs(rooms.toArray(String[]::new));
        lastSeqs.subscribe().with(seqs -> {
            catchingUp.set(false);
            seqs.forEach((room, seq) -> {
                RoomGate gate = gateOf.apply(room);
                if (gate != null) {
                    gate.expect(seq);
                }
            });
        }, e -> {
            catchingUp.set(false);
            LOG.warnf("Reading the rooms' newest seqs failed (%s); retrying in %d ms", e.getMessage(), catchUpMillis);
        });
    }

    /**
     * Fills the gap {@code after < seq <= upTo} of the room's live stream from PostgreSQL. The access
     * of the room's {@code live} subscribers is checked first: entries missed with a lost
     * {@code member.left} must not reach the member it removed.
     */
    void fill(String room, RoomGate gate, long after, long upTo, List<AccessRecheck.LiveSubscription> live,
            Consumer<AccessRecheck.LiveSubscription> leave) {
        repairs.increment();
        access.endLostAccess(live, leave).chain(() -> fetch(room, gate, after, upTo))
                .subscribe().with(v -> gate.repaired(true), e -> {
                    LOG.warnf("Filling a gap of room %s (%d..%d) failed: %s", room, after + 1, upTo, e.getMessage());
                    gate.repaired(false);
                });
    }

    private Uni<Void> fetch(String room, RoomGate gate, long after, long upTo) {
        int page = (int) Math.min(REPAIR_PAGE, upTo - after);
        return messages.entries(room, after, upTo, page).chain(entries -> {
            metrics.repaired(entries.size());
            long last = after;
            for (LogEntryView.Entry e : entries) {
                gate.offer(publisher.event(e.type(), e.seq(), null, e.payload()));
                last = e.seq();
            }
            return entries.size() == page && last < upTo ? fetch(room, gate, last, upTo) : Uni.createFrom().voidItem();
        });
    }
}

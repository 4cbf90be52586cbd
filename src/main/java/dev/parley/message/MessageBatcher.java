package dev.parley.message;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.pgclient.PgException;

import dev.parley.config.ParleyConfig;
import dev.parley.problem.DependencyFailure;
import dev.parley.problem.UniqueViolation;
import dev.parley.tracing.Tracing;

/**
 * Group commit, the scheduling part: changes of the room log (sends, edits, deletions, reactions)
 * wait in one queue per instance and leave in batches, one transaction per batch, written by
 * {@link LogWriter}. Up to {@code parley.batch.parallel} batches are in flight at once, each on its
 * own connection, and <b>a room is in at most one of them</b>: a batch takes, room by room, the
 * waiting changes of every room not in flight (up to {@code max-size}), so one room's changes are
 * written in the order received, while other rooms' batches overlap with it. Whatever arrives for a
 * room in flight forms its next batch, so batch sizes follow the load by themselves. A change for a
 * room not in flight never waits for a large batch: under light load small batches go in every
 * free slot; under heavy load one small batch goes beside the one large batch in flight, and the
 * rest waits to leave together, so that batches stay large.
 *
 * <p>Rooms in flight are disjoint, so concurrent batches never wait on each other's row locks.
 *
 * <p>A batch that fails as a whole for any reason but an outage of PostgreSQL (a race with another
 * writer, a deadlock, a statement that one send's content breaks) is written again one change per
 * transaction, so that a bad change fails alone and the others are stored; its rooms stay in flight
 * until that is done. A lone change is written again only after a race.
 *
 * <p>Created at startup, so that its metrics are exported from the first scrape, not the first send.
 */
@ApplicationScoped
@Startup
public class MessageBatcher {

    private static final Logger LOG = Logger.getLogger(MessageBatcher.class);
    /** The most changes of a small batch, which may leave beside others in flight. */
    static final int SMALL_BATCH = 8;

    private final LogWriter writer;
    private final int maxSize;
    private final int parallel;
    private final DistributionSummary batchSizes;
    private final Counter fallbacks;
    private final Tracing tracing;
    // Guarded by "this": the waiting changes by room, rooms in the order their first waiting change
    // came; how many of them are of rooms not in flight (could leave now); the batches in flight:
    // their rooms, their number, how many are large.
    private final LinkedHashMap<String, ArrayDeque<Pending>> waiting = new LinkedHashMap<>();
    private int ready;
    private final Set<String> roomsInFlight = new HashSet<>();
    private int inFlight;
    private int largeInFlight;

    public MessageBatcher(LogWriter writer, ParleyConfig config, MeterRegistry registry, Tracing tracing) {
        this.writer = writer;
        this.tracing = tracing;
        this.maxSize = config.batch().maxSize();
        this.parallel = config.batch().parallel();
        this.batchSizes = DistributionSummary.builder("parley.batch.size")
                .description("Changes written per group-commit transaction").register(registry);
        this.fallbacks = Counter.builder("parley.batch.fallbacks")
                .description("Batches that failed as a whole and were written again one change at a time")
                .register(registry);
    }

    /** {@code sender}: the span of the request that made the change, when it is traced. */
    private record Pending(NewEntry entry, UniEmitter<Object> emitter, SpanContext sender) {
    }

    /** Queues a change for the next batch of its room; the Uni carries its outcome (see {@link LogWriter#write}). */
    public Uni<Object> submit(NewEntry entry) {
        return Uni.createFrom().emitter(emitter -> {
            Pending pending = new Pending(entry, emitter, tracing.current());
            synchronized (this) {
                waiting.computeIfAbsent(entry.roomId(), room -> new ArrayDeque<>()).add(pending);
                if (!roomsInFlight.contains(entry.roomId())) {
                    ready++;
                }
            }
            drain();
        });
    }

    private void drain() {
        List<Pending> batch;
        while ((batch = nextBatch()) != null) {
            write(batch);
        }
    }

    // The waiting changes of the rooms not in flight (each room's in the order received) as one batch,
    // its rooms now in flight; null when no slot is free, nothing can go, or the batch should grow
    // first. Constant time when nothing can go, which is most calls under load. At most
    // one large batch (more than SMALL_BATCH changes) is in flight: a large one waits for the
    // large one before it. Beside a large batch one small batch may go (a quiet room's change never
    // waits for a large batch); with no large batch in flight (light load), small ones go in every
    // free slot. Under heavy load, splitting the queue into many concurrent batches would only
    // multiply the statements per change (a batch costs mostly per statement, not per row) and
    // slow every room down.
    private synchronized List<Pending> nextBatch() {
        boolean companionOnly = largeInFlight > 0;
        if (ready == 0 || inFlight >= parallel || companionOnly && (inFlight > largeInFlight || ready > SMALL_BATCH)) {
            return null;
        }
        List<Pending> batch = new ArrayList<>(Math.min(ready, maxSize));
        for (Iterator<Map.Entry<String, ArrayDeque<Pending>>> it = waiting.entrySet().iterator();
                it.hasNext() && batch.size() < maxSize;) {
            Map.Entry<String, ArrayDeque<Pending>> room = it.next();
            if (roomsInFlight.contains(room.getKey())) {
                continue;
            }
            ArrayDeque<Pending> changes = room.getValue();
            // the room is in flight now: what stays behind (beyond max-size) waits for this batch too
            ready -= changes.size();
            while (!changes.isEmpty() && batch.size() < maxSize) {
                batch.add(changes.poll());
            }
            roomsInFlight.add(room.getKey());
            if (changes.isEmpty()) {
                it.remove();
            }
        }
        inFlight++;
        if (batch.size() > SMALL_BATCH) {
            largeInFlight++;
        }
        return batch;
    }

    private void done(List<Pending> batch) {
        synchronized (this) {
            inFlight--;
            if (batch.size() > SMALL_BATCH) {
                largeInFlight--;
            }
            for (Pending p : batch) {
                String room = p.entry().roomId();
                if (roomsInFlight.remove(room)) {
                    ArrayDeque<Pending> left = waiting.get(room);
                    ready += left == null ? 0 : left.size();
                }
            }
        }
        drain();
    }

    private void write(List<Pending> batch) {
        batchSizes.record(batch.size());
        List<NewEntry> entries = batch.stream().map(Pending::entry).toList();
        Span span = tracing.on() ? tracing.startBatch(traced(batch), batch.size()) : null;
        writer.write(entries).subscribe().with(outcomes -> {
            Tracing.end(span, null);
            // the rooms are free before the answers go out: a sender's next change may leave at once
            done(batch);
            for (int i = 0; i < batch.size(); i++) {
                Object o = outcomes.get(i);
                if (o instanceof Throwable refused) {
                    batch.get(i).emitter().fail(refused);
                } else {
                    batch.get(i).emitter().complete(o);
                }
            }
        }, failure -> {
            Tracing.end(span, failure);
            oneByOne(batch, failure);
        });
    }

    private static List<SpanContext> traced(List<Pending> batch) {
        List<SpanContext> traced = new ArrayList<>();
        for (Pending p : batch) {
            if (p.sender() != null) {
                traced.add(p.sender());
            }
        }
        return traced;
    }

    // The batch's rooms stay in flight: no later batch of theirs may commit before these, or a
    // connection's changes to a room could pass each other.
    private void oneByOne(List<Pending> batch, Throwable failure) {
        if (DependencyFailure.is(failure) || batch.size() == 1 && !isRace(failure)) {
            done(batch);
            batch.forEach(p -> p.emitter().fail(failure));
            return;
        }
        fallbacks.increment();
        LOG.debugf("A batch of %d failed (%s); writing its changes one by one", batch.size(), failure.getMessage());
        writeFrom(batch, 0);
    }

    // A deadlock or a unique violation means another writer got in the way: writing again resolves it.
    private static boolean isRace(Throwable failure) {
        if (UniqueViolation.is(failure)) {
            return true;
        }
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof PgException pg && "40P01".equals(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    private void writeFrom(List<Pending> batch, int i) {
        if (i == batch.size()) {
            done(batch);
            return;
        }
        Pending p = batch.get(i);
        writer.writeOne(p.entry()).subscribe().with(outcome -> {
            p.emitter().complete(outcome);
            writeFrom(batch, i + 1);
        }, e -> {
            p.emitter().fail(e);
            writeFrom(batch, i + 1);
        });
    }
}

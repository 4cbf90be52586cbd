package dev.parley.message;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;

import dev.parley.config.ParleyConfig;
import dev.parley.problem.DependencyFailure;
import dev.parley.problem.UniqueViolation;

/**
 * Group commit, the scheduling part: changes of the room log (sends, edits, deletions, reactions)
 * wait in one queue per instance and leave in batches, one
 * transaction per batch, written by {@link LogWriter}. One batch is in flight at a time; whatever
 * arrives meanwhile forms the next one, so the batch size follows the load by itself and a lone
 * message is written at once, never held back. Sends are queued in the order received and batches
 * commit one after another, so one connection's sends keep their order.
 *
 * <p>A batch that fails as a whole for any reason but an outage of PostgreSQL (a race with another
 * writer, a deadlock, a statement that one send's content breaks) is written again one send per
 * transaction, so that a bad send fails alone and the others are stored; a lone send is written
 * again only after a race.
 *
 * <p>Created at startup, so that its metrics are exported from the first scrape, not the first send.
 */
@ApplicationScoped
@Startup
public class MessageBatcher {

    private static final Logger LOG = Logger.getLogger(MessageBatcher.class);

    private final Pool pool;
    private final LogWriter writer;
    private final int maxSize;
    private final DistributionSummary batchSizes;
    private final Counter fallbacks;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();

    public MessageBatcher(Pool pool, LogWriter writer, ParleyConfig config, MeterRegistry registry) {
        this.pool = pool;
        this.writer = writer;
        this.maxSize = config.batch().maxSize();
        this.batchSizes = DistributionSummary.builder("parley.batch.size")
                .description("Sends written per group-commit transaction").register(registry);
        this.fallbacks = Counter.builder("parley.batch.fallbacks")
                .description("Batches that failed as a whole and were written again one send at a time")
                .register(registry);
    }

    private record Pending(NewEntry entry, UniEmitter<Object> emitter) {
    }

    /** Queues a change for the next batch; the Uni carries its outcome (see {@link LogWriter#write}). */
    public Uni<Object> submit(NewEntry entry) {
        return Uni.createFrom().emitter(emitter -> {
            queue.add(new Pending(entry, emitter));
            drain();
        });
    }

    private void drain() {
        while (!queue.isEmpty() && writing.compareAndSet(false, true)) {
            List<Pending> batch = new ArrayList<>();
            Pending p;
            while (batch.size() < maxSize && (p = queue.poll()) != null) {
                batch.add(p);
            }
            if (batch.isEmpty()) {
                writing.set(false);
                continue;
            }
            batchSizes.record(batch.size());
            List<NewEntry> entries = batch.stream().map(Pending::entry).toList();
            pool.withTransaction(tx -> writer.write(tx, entries)).subscribe().with(outcomes -> {
                writing.set(false);
                for (int i = 0; i < batch.size(); i++) {
                    Object o = outcomes.get(i);
                    if (o instanceof Throwable refused) {
                        batch.get(i).emitter().fail(refused);
                    } else {
                        batch.get(i).emitter().complete(o);
                    }
                }
                drain();
            }, failure -> oneByOne(batch, failure));
        }
    }

    // Still "writing": no later batch may commit before these, or a connection's sends could pass
    // each other.
    private void oneByOne(List<Pending> batch, Throwable failure) {
        if (DependencyFailure.is(failure) || batch.size() == 1 && !isRace(failure)) {
            batch.forEach(p -> p.emitter().fail(failure));
            writing.set(false);
            drain();
            return;
        }
        fallbacks.increment();
        LOG.debugf("A batch of %d failed (%s); writing its sends one by one", batch.size(), failure.getMessage());
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
            writing.set(false);
            drain();
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

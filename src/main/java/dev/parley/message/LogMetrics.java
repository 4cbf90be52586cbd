package dev.parley.message;

import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The room log's write meters, tagged only by the closed set of change kinds. */
@Singleton
public class LogMetrics {

    private final Counter messages;
    private final Counter edits;
    private final Counter deletes;
    private final Counter reactions;
    private final Timer commitLatency;

    public LogMetrics(MeterRegistry registry) {
        this.messages = committed(registry, "message");
        this.edits = committed(registry, "edit");
        this.deletes = committed(registry, "delete");
        this.reactions = committed(registry, "reaction");
        this.commitLatency = Timer.builder("parley.commit.latency")
                .description("From a change's submission (its queueing for group commit) to its transaction's commit")
                .publishPercentileHistogram().register(registry);
    }

    private static Counter committed(MeterRegistry registry, String kind) {
        return Counter.builder("parley.entries.committed").description("Entries committed to room logs, by kind")
                .tag("kind", kind).register(registry);
    }

    /** An entry its transaction committed. */
    void committed(NewEntry entry) {
        if (entry instanceof NewEntry.Send) {
            messages.increment();
        } else if (entry instanceof NewEntry.Edit) {
            edits.increment();
        } else if (entry instanceof NewEntry.Delete) {
            deletes.increment();
        } else if (entry instanceof NewEntry.React) {
            reactions.increment();
        }
    }

    /** A change submitted at {@code startNanos} ({@link System#nanoTime}) has its answer from the commit. */
    void answered(long startNanos) {
        commitLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
}

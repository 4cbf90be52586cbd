package dev.parley.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/**
 * Sends publishes to Redis in batches, the way group commit writes messages: one batch in flight;
 * whatever arrives meanwhile leaves as the next batch, pipelined on one connection in one write. A
 * lone publish leaves at once. Under load this turns thousands of round trips per second into a few
 * hundred, and keeps publishes in the order they were made.
 */
final class PublishPipeline {

    // Bounds one pipelined write; the rest waits for the next batch.
    private static final int MAX_BATCH = 512;
    // Bounds what waits behind a slow Redis, as the pool's waiting queue did before.
    static final int MAX_QUEUED = 65_536;

    private final Redis redis;
    private final Duration timeout;
    private final List<Pending> queue = new ArrayList<>();
    private boolean inFlight;

    /**
     * @param timeout how long a batch may go unanswered before its publishes fail and the next batch
     *        leaves: a connection that hangs without closing must not stall every later publish
     */
    PublishPipeline(Redis redis, Duration timeout) {
        this.redis = redis;
        this.timeout = timeout;
    }

    /**
     * Queues a publish. {@code essential} ones (an event that ends someone's access) are queued even
     * beyond the bound: they are rare, and dropping one would leave a removed member listening.
     */
    Uni<Void> publish(Request request, boolean essential) {
        return Uni.createFrom().emitter(emitter -> {
            List<Pending> batch = null;
            synchronized (this) {
                if (queue.size() >= MAX_QUEUED && !essential) {
                    emitter.fail(new IllegalStateException("publish queue full: Redis is not keeping up"));
                    return;
                }
                queue.add(new Pending(request, emitter));
                if (!inFlight) {
                    inFlight = true;
                    batch = take();
                }
            }
            if (batch != null) {
                send(batch);
            }
        });
    }

    /** Publishes waiting for the batch in flight to be answered. */
    synchronized int queued() {
        return queue.size();
    }

    private void send(List<Pending> batch) {
        Future<?> sent;
        if (batch.size() == 1) {
            sent = redis.send(batch.get(0).request);
        } else {
            List<Request> requests = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                requests.add(p.request);
            }
            sent = redis.batch(requests);
        }
        Uni.createFrom().completionStage(sent.toCompletionStage())
                .ifNoItem().after(timeout).fail()
                .subscribe().with(ok -> finish(batch, null), failure -> finish(batch, failure));
    }

    // Once per batch: the timeout and a late answer cannot both get here.
    private void finish(List<Pending> batch, Throwable failure) {
        for (Pending p : batch) {
            if (failure == null) {
                p.emitter.complete(null);
            } else {
                p.emitter.fail(failure);
            }
        }
        List<Pending> next;
        synchronized (this) {
            next = queue.isEmpty() ? null : take();
            inFlight = next != null;
        }
        if (next != null) {
            send(next);
        }
    }

    // Caller holds the lock.
    private List<Pending> take() {
        int n = Math.min(queue.size(), MAX_BATCH);
        List<Pending> batch = new ArrayList<>(queue.subList(0, n));
        queue.subList(0, n).clear();
        return batch;
    }

    private record Pending(Request request, UniEmitter<? super Void> emitter) {
    }
}

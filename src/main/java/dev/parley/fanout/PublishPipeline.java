package dev.parley.fanout;

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

    private final Redis redis;
    private final List<Pending> queue = new ArrayList<>();
    private boolean inFlight;

    PublishPipeline(Redis redis) {
        this.redis = redis;
    }

    Uni<Void> publish(Request request) {
        return Uni.createFrom().emitter(emitter -> {
            List<Pending> batch = null;
            synchronized (this) {
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
        sent.onComplete(result -> {
            for (Pending p : batch) {
                if (result.succeeded()) {
                    p.emitter.complete(null);
                } else {
                    p.emitter.fail(result.cause());
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
        });
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

package dev.parley.fanout;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The fan-out's meters: publishes lost, and, with Redis, its publish queue and subscriber link. */
@Singleton
public class FanoutMetrics {

    private final MeterRegistry registry;
    private final Counter publishFailures;

    public FanoutMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.publishFailures = Counter.builder("parley.publish.failures")
                .description("Events not published to the other instances (they repair from PostgreSQL)")
                .register(registry);
    }

    void publishFailed() {
        publishFailures.increment();
    }

    /** The Redis broker's gauges, read from its own state; absent without Redis (no queue, no link). */
    void redis(RedisBroker broker, SubscriberState state) {
        Gauge.builder("parley.publish.queue", broker, RedisBroker::queuedPublishes)
                .description("Publishes waiting for Redis, the batch in flight excluded").strongReference(true)
                .register(registry);
        Gauge.builder("parley.redis.subscriber.up", state, s -> s.problem() == null ? 1 : 0)
                .description("1 while the Redis pub/sub subscriber is subscribed to every room channel, else 0")
                .strongReference(true).register(registry);
    }
}

package dev.parley.fanout;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;

import dev.parley.config.ParleyConfig;

/** Chooses the broker: Redis when {@code parley.redis.enabled}, else the single-instance one. */
@ApplicationScoped
public class BrokerProducer {

    /** Tells this instance's events apart from the others' on the shared channels. */
    @Produces
    @Singleton
    @Named("instanceId")
    String instanceId() {
        return UUID.randomUUID().toString();
    }

    @Produces
    @Singleton
    Broker broker(ParleyConfig config, Vertx vertx, Instance<Redis> redis, SubscriberState subscriberState,
            @Named("instanceId") String instanceId, FanoutMetrics metrics) {
        if (!config.redis().enabled()) {
            return new InProcessBroker();
        }
        RedisBroker broker = new RedisBroker(vertx, redis.get(), subscriberState, instanceId, config.redis().channelPrefix(),
                config.redis().sharded());
        metrics.redis(broker, subscriberState);
        return broker;
    }

    /**
     * Stops the broker before Quarkus closes the Redis client, whose closing would otherwise close
     * the subscriber connection under it and be taken for a lost link (a warning, a reconnect).
     */
    void stopping(@Observes ShutdownEvent event, Broker broker) {
        close(broker);
    }

    void close(@Disposes Broker broker) {
        if (broker instanceof RedisBroker redisBroker) {
            redisBroker.stop();
        }
    }
}

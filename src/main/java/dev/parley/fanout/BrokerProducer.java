package dev.parley.fanout;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

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
    Broker broker(ParleyConfig config, Vertx vertx, Instance<Redis> redis, @Named("instanceId") String instanceId) {
        if (!config.redis().enabled()) {
            return new InProcessBroker();
        }
        RedisOptions subscriberOptions = new RedisOptions()
                .setConnectionString(config.redis().url())
                .setMaxWaitingHandlers(65_536);
        return new RedisBroker(vertx, redis.get(), subscriberOptions, instanceId, config.redis().channelPrefix(),
                config.redis().sharded());
    }

    void close(@Disposes Broker broker) {
        if (broker instanceof RedisBroker redisBroker) {
            redisBroker.stop();
        }
    }
}

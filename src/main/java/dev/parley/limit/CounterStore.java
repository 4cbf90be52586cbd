package dev.parley.limit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;

import dev.parley.config.ParleyConfig;

/** Chooses where counts live: Redis for every instance when it is enabled, else this instance's memory. */
@ApplicationScoped
public class CounterStore {

    @Produces
    @Singleton
    Counters counters(ParleyConfig config, Instance<ReactiveRedisDataSource> redis) {
        return config.redis().enabled()
                ? new RedisCounters(redis.get(), config.redis().channelPrefix())
                : new InProcessCounters();
    }

    @Produces
    @Singleton
    Slots slots(ParleyConfig config, Instance<ReactiveRedisDataSource> redis) {
        return config.redis().enabled()
                ? new RedisSlots(redis.get(), config.redis().channelPrefix())
                : new InProcessSlots();
    }
}

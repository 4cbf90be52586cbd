package dev.parley.fanout;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.parley.config.ParleyConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Ready only when Redis answers, if Redis carries the fan-out. In single-instance mode Redis is not
 * used, and the check reports so instead of probing it.
 */
@Readiness
@ApplicationScoped
public class RedisReadinessCheck implements AsyncHealthCheck {

    private final ParleyConfig config;
    private final Instance<ReactiveRedisDataSource> redis;

    public RedisReadinessCheck(ParleyConfig config, Instance<ReactiveRedisDataSource> redis) {
        this.config = config;
        this.redis = redis;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (!config.redis().enabled()) {
            return Uni.createFrom().item(HealthCheckResponse.named("redis").up().withData("mode", "in-process").build());
        }
        return redis.get().execute("PING")
                .ifNoItem().after(Duration.ofSeconds(2)).fail()
                .map(reply -> HealthCheckResponse.named("redis").up().build())
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named("redis").down()
                        .withData("error", String.valueOf(e.getMessage())).build());
    }
}

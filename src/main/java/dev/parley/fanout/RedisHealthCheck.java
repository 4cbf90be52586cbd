package dev.parley.fanout;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.Wellness;
import io.smallrye.mutiny.Uni;

import dev.parley.config.ParleyConfig;

/**
 * Whether Redis answers and this instance's pub/sub subscriber is subscribed, if Redis carries the
 * fan-out (in single-instance mode it reports so instead of probing). Both count: with Redis
 * answering PING through the pool but the subscriber refused (a missing password, say), events from
 * other instances arrive only through the catch-up, seconds late. A wellness check
 * ({@code /q/health/well}), not a readiness one: while Redis is down, sends are still committed and
 * acknowledged and every instance repairs its subscribers when the link returns, so a Redis outage
 * must not take every pod out of the Service at once.
 */
@Wellness
@ApplicationScoped
public class RedisHealthCheck implements AsyncHealthCheck {

    private final ParleyConfig config;
    private final Instance<ReactiveRedisDataSource> redis;
    private final SubscriberState subscriber;

    public RedisHealthCheck(ParleyConfig config, Instance<ReactiveRedisDataSource> redis, SubscriberState subscriber) {
        this.config = config;
        this.redis = redis;
        this.subscriber = subscriber;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (!config.redis().enabled()) {
            return Uni.createFrom().item(HealthCheckResponse.named("redis").up().withData("mode", "in-process").build());
        }
        return redis.get().execute("PING")
                .ifNoItem().after(Duration.ofSeconds(2)).fail()
                .map(reply -> HealthCheckResponse.named("redis").up())
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named("redis").down()
                        .withData("error", String.valueOf(e.getMessage())))
                .map(this::withSubscriber);
    }

    private HealthCheckResponse withSubscriber(HealthCheckResponseBuilder response) {
        String problem = subscriber.problem();
        if (problem == null) {
            return response.withData("subscriber", "subscribed").build();
        }
        return response.down().withData("subscriber", "connecting").withData("subscriber-error", problem).build();
    }
}

package dev.parley.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.netty.util.concurrent.EventExecutor;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;

/** Liveness follows the event loops: one stuck loop makes the instance not live until it runs again. */
@QuarkusTest
class EventLoopHealthCheckTest {

    @Inject
    Vertx vertx;

    @TestHTTPResource("/q/health/live")
    URL live;

    @Test
    void anEventLoopThatStopsRunningTasksMakesTheInstanceNotLiveUntilItRecovers() throws Exception {
        assertThat(liveness()).startsWith("200");
        EventExecutor victim = ((VertxInternal) vertx).getEventLoopGroup().next();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        victim.execute(() -> {
            blocked.countDown();
            try {
                release.await(60, TimeUnit.SECONDS); // on purpose: a handler that never returns
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
            // a request that lands on the blocked loop is not answered: each try is a new connection
            String down = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(this::liveness, answer -> answer.startsWith("503"));
            assertThat(down).contains("\"event-loops\"").contains("no task run for").contains("DOWN");
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(this::liveness, answer -> answer.startsWith("200"));
    }

    private String liveness() throws InterruptedException {
        try {
            HttpResponse<String> response = newClient().send(HttpRequest.newBuilder(URI.create(live.toString()))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (IOException e) {
            return "no answer: " + e;
        }
    }

    private static HttpClient newClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    }
}

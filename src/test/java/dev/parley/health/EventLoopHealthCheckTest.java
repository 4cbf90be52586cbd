package dev.parley.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
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

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Test
    void anEventLoopThatStopsRunningTasksMakesTheInstanceNotLiveUntilItRecovers() throws Exception {
        assertThat(liveness()).startsWith("200");
        // The management port is served by one event loop of the group: blocked, it answers no probe at
        // all, which Kubernetes counts as a failure too. The check must report any other blocked loop.
        Blocked blocked = null;
        for (EventExecutor loop : ((VertxInternal) vertx).getEventLoopGroup()) {
            Blocked candidate = Blocked.on(loop);
            if (liveness().startsWith("200")) {
                blocked = candidate;
                break;
            }
            candidate.release();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(this::liveness, answer -> answer.startsWith("200"));
        }
        assertThat(blocked).as("an event loop other than the management port's").isNotNull();
        try {
            String down = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(this::liveness, answer -> answer.startsWith("503"));
            assertThat(down).contains("\"event-loops\"").contains("no task run for").contains("DOWN");
        } finally {
            blocked.release();
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(this::liveness, answer -> answer.startsWith("200"));
    }

    /** A task that keeps its event loop busy until released, as a handler that never returns would. */
    private static final class Blocked {
        private final CountDownLatch release = new CountDownLatch(1);

        static Blocked on(EventExecutor loop) throws InterruptedException {
            Blocked blocked = new Blocked();
            CountDownLatch running = new CountDownLatch(1);
            loop.execute(() -> {
                running.countDown();
                try {
                    blocked.release.await(60, TimeUnit.SECONDS); // on purpose
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(running.await(5, TimeUnit.SECONDS)).as("the blocking task runs").isTrue();
            return blocked;
        }

        void release() {
            release.countDown();
        }
    }

    private String liveness() throws InterruptedException {
        try {
            HttpResponse<String> response = newClient().send(HttpRequest.newBuilder(management.resolve("/q/health/live"))
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

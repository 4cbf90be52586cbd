package dev.parley.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.ParleyProcess;
import dev.parley.testsupport.PingBurst;
import dev.parley.testsupport.RedisServer;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WsClient;

/**
 * Two real instances sharing PostgreSQL and a private Redis: a user's request budget and open
 * connections hold in total over both, not per instance.
 */
class UserLimitsIT {

    private static final String DATABASE = "parley_it_limits";
    // blocks of 4 tokens are leased per instance (burst / 10)
    private static final int RATE = 10;
    private static final int BURST = 40;

    private static RedisServer redis;
    private static ParleyProcess a;
    private static ParleyProcess b;

    @BeforeAll
    static void startTwoInstances() throws Exception {
        DatabaseTestResource.recreate(DATABASE);
        redis = RedisServer.start();
        Map<String, String> env = ParleyProcess.environment(DATABASE, redis);
        env.put("PARLEY_LIMITS_USER_RATE", Integer.toString(RATE));
        env.put("PARLEY_LIMITS_USER_BURST", Integer.toString(BURST));
        env.put("PARLEY_LIMITS_CONNECTIONS_PER_USER", "3");
        a = ParleyProcess.start("limits-a", env);
        b = ParleyProcess.start("limits-b", env);
    }

    @AfterAll
    static void stop() {
        ParleyProcess.stopAll(a, b, redis);
    }

    @Test
    void oneUserOnBothInstancesIsHeldToOneBudget() {
        TestUser alice = a.register("alice");
        TestUser bob = b.register("bob");
        List<WsClient> sockets = new ArrayList<>();
        try {
            long start = System.nanoTime();
            sockets.add(WsClient.connectWithHeader(a.ws(), alice.token()));
            sockets.add(WsClient.connectWithHeader(b.ws(), alice.token()));
            // 120 requests, 60 on each instance: either instance alone would let about 40 + 10/s through
            PingBurst.Result result = PingBurst.fire(sockets, 60);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("per-user budget, two instances: %d pongs, %d rate_limited in %.2f s%n", result.pongs(),
                    result.limited(), seconds);
            assertThat(result.total()).isEqualTo(120);
            assertThat(result.other()).isZero();
            // every token spent came from the one bucket in Redis (the two upgrades took two)
            assertThat(result.pongs()).isLessThanOrEqualTo((int) (BURST - 2 + RATE * seconds) + 1);
            assertThat(result.pongs()).isGreaterThanOrEqualTo(20);
            assertThat(result.limited()).isPositive();
            assertThat(sockets).allMatch(WsClient::isOpen);
            try (WsClient other = WsClient.connectWithHeader(a.ws(), bob.token())) {
                assertThat(PingBurst.fire(List.of(other), 10).pongs()).isEqualTo(10);
            }
        } finally {
            sockets.forEach(WsClient::close);
        }
    }

    @Test
    void openConnectionsPerUserAreCountedOverBothInstances() {
        TestUser alice = a.register("alice");
        List<WsClient> sockets = new ArrayList<>();
        try {
            sockets.add(WsClient.connectWithHeader(a.ws(), alice.token()));
            sockets.add(WsClient.connectWithHeader(a.ws(), alice.token()));
            sockets.add(WsClient.connectWithHeader(b.ws(), alice.token()));
            for (ParleyProcess instance : List.of(a, b)) {
                assertThatThrownBy(() -> WsClient.connectWithHeader(instance.ws(), alice.token()))
                        .isInstanceOfSatisfying(WsClient.UpgradeRefused.class, e -> assertThat(e.status()).isEqualTo(429));
            }
            // a socket closed on A frees its slot for B
            sockets.remove(0).close();
            WsClient again = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .ignoreException(WsClient.UpgradeRefused.class)
                    .until(() -> WsClient.connectWithHeader(b.ws(), alice.token()), c -> c != null);
            sockets.add(again);
            assertThat(again.isOpen()).isTrue();
        } finally {
            sockets.forEach(WsClient::close);
        }
    }
}

package dev.parley.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.ParleyProcess;
import dev.parley.testsupport.RedisServer;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WsClient;

/**
 * Presence across real instances sharing a private Redis, with a short lease (3 s) so that a
 * crashed instance's users are seen to go offline by themselves.
 */
class PresenceIT {

    private static final String DATABASE = "parley_presence_it";
    private static final Duration LEASE = Duration.ofSeconds(3);

    private static RedisServer redis;
    private static Map<String, String> env;
    private static ParleyProcess a;
    private static ParleyProcess b;

    @BeforeAll
    static void startTwoInstances() throws Exception {
        DatabaseTestResource.recreate(DATABASE);
        redis = RedisServer.start();
        env = ParleyProcess.environment(DATABASE, redis);
        env.put("PARLEY_PRESENCE_LEASE", LEASE.toString());
        a = ParleyProcess.start("presence-a", env);
        b = ParleyProcess.start("presence-b", env);
    }

    @AfterAll
    static void stop() {
        ParleyProcess.stopAll(a, b, redis);
    }

    @Test
    void aUserIsOnlineWhileAnyOfTheirConnectionsOnAnyInstanceIsSubscribed() {
        TestUser alice = a.register("alice");
        TestUser bob = b.register("bob");
        String room = a.createRoom(alice.token());
        try (WsClient aliceOnA = WsClient.connectWithHeader(a.ws(), alice.token())) {
            assertThat(online(aliceOnA.subscribe(room, null))).containsExactly(alice.id());
            try (WsClient bobOnB = WsClient.connectWithHeader(b.ws(), bob.token())) {
                // the other instance's list has alice; alice's instance announces bob
                assertThat(online(bobOnB.subscribe(room, null))).containsExactlyInAnyOrder(alice.id(), bob.id());
                assertThat(presenceOf(aliceOnA, room, bob, 1).get(0).path("status").asText()).isEqualTo("online");
                assertThat(presenceOf(aliceOnA, room, bob, 1).get(0).path("user").path("username").asText())
                        .isEqualTo(bob.username());
                // a second tab, on the other instance
                WsClient bobOnA = WsClient.connectWithHeader(a.ws(), bob.token());
                assertThat(online(bobOnA.subscribe(room, null))).containsExactlyInAnyOrder(alice.id(), bob.id());
                bobOnB.close();
                // one tab left: bob is still listed, by either instance
                try (WsClient look = WsClient.connectWithHeader(b.ws(), alice.token())) {
                    assertThat(online(look.subscribe(room, null))).contains(bob.id());
                }
                bobOnA.close();
            }
            List<JsonNode> changes = presenceOf(aliceOnA, room, bob, 2);
            assertThat(changes).extracting(e -> e.path("status").asText()).containsExactly("online", "offline");
            try (WsClient look = WsClient.connectWithHeader(b.ws(), alice.token())) {
                assertThat(online(look.subscribe(room, null))).doesNotContain(bob.id());
            }
        }
    }

    @Test
    void aKilledInstancesUsersGoOfflineByThemselvesWithinTheLease() {
        TestUser alice = a.register("alice");
        TestUser dave = a.register("dave");
        String room = a.createRoom(alice.token());
        try (ParleyProcess doomed = ParleyProcess.start("presence-doomed", env);
                WsClient aliceOnA = WsClient.connectWithHeader(a.ws(), alice.token());
                WsClient daveOnDoomed = WsClient.connectWithHeader(doomed.ws(), dave.token())) {
            aliceOnA.subscribe(room, null);
            daveOnDoomed.subscribe(room, null);
            presenceOf(aliceOnA, room, dave, 1);
            try (WsClient look = WsClient.connectWithHeader(b.ws(), alice.token())) {
                assertThat(online(look.subscribe(room, null))).contains(dave.id());
            }
            doomed.kill();
            long killed = System.nanoTime();
            // the lease runs out, and the next renewal by a surviving instance finds it (every third of it)
            List<JsonNode> changes = await().atMost(LEASE.plus(LEASE).plusSeconds(2)).pollInterval(Duration.ofMillis(50))
                    .until(() -> presenceOf(aliceOnA, room, dave), c -> c.size() == 2);
            long tookMs = (System.nanoTime() - killed) / 1_000_000;
            assertThat(changes.get(1).path("status").asText()).isEqualTo("offline");
            System.out.printf("PRESENCE a SIGKILLed instance's user went offline %d ms after the kill (lease %d ms)%n",
                    tookMs, LEASE.toMillis());
            try (WsClient look = WsClient.connectWithHeader(b.ws(), alice.token())) {
                assertThat(online(look.subscribe(room, null))).doesNotContain(dave.id());
            }
        }
    }

    @Test
    void withoutRedisAnInstanceKeepsPresenceOfItsOwn() {
        Map<String, String> alone = new HashMap<>(env);
        alone.put("PARLEY_REDIS_ENABLED", "false");
        try (ParleyProcess single = ParleyProcess.start("presence-alone", alone)) {
            TestUser alice = single.register("alice");
            TestUser bob = single.register("bob");
            String room = single.createRoom(alice.token());
            try (WsClient aliceHere = WsClient.connectWithHeader(single.ws(), alice.token())) {
                aliceHere.subscribe(room, null);
                WsClient tab1 = WsClient.connectWithHeader(single.ws(), bob.token());
                WsClient tab2 = WsClient.connectWithHeader(single.ws(), bob.token());
                assertThat(online(tab1.subscribe(room, null))).containsExactlyInAnyOrder(alice.id(), bob.id());
                tab2.subscribe(room, null);
                tab1.close();
                try (WsClient look = WsClient.connectWithHeader(single.ws(), alice.token())) {
                    assertThat(online(look.subscribe(room, null))).contains(bob.id());
                }
                tab2.close();
                assertThat(presenceOf(aliceHere, room, bob, 2)).extracting(e -> e.path("status").asText())
                        .containsExactly("online", "offline");
            }
        }
    }

    private static List<String> online(JsonNode ok) {
        return ok.path("presence").findValuesAsText("id");
    }

    private static List<JsonNode> presenceOf(WsClient client, String room, TestUser user) {
        return client.events("presence", room).stream().filter(e -> user.id().equals(e.path("user").path("id").asText()))
                .toList();
    }

    private static List<JsonNode> presenceOf(WsClient client, String room, TestUser user, int count) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> presenceOf(client, room, user), c -> c.size() >= count);
    }
}

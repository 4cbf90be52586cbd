package dev.parley.realtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.Frames;
import dev.parley.testsupport.ParleyProcess;
import dev.parley.testsupport.RedisServer;
import dev.parley.testsupport.WsClient;
import io.restassured.http.ContentType;

/**
 * Two real Parley instances (two JVMs from the packaged application) sharing PostgreSQL and a
 * private Redis: cross-instance delivery, cross-instance resume, gapless seq under concurrent
 * senders on both, and self-repair after a Redis crash.
 */
class MultiInstanceIT {

    private static final String DATABASE = "parley_it";

    private static RedisServer redis;
    private static ParleyProcess a;
    private static ParleyProcess b;

    @BeforeAll
    static void startTwoInstances() throws Exception {
        DatabaseTestResource.recreate(DATABASE);
        redis = RedisServer.start();
        KeyPair keys = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Map<String, String> env = new HashMap<>();
        env.put("PARLEY_DB_NAME", DATABASE);
        env.put("PARLEY_REDIS_ENABLED", "true");
        env.put("PARLEY_REDIS_URL", redis.url());
        env.put("PARLEY_AUTH_SIGNING_KEY", pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        env.put("PARLEY_AUTH_PUBLIC_KEY", pem("PUBLIC KEY", keys.getPublic().getEncoded()));
        env.put("PARLEY_LIMITS_SEND_RATE", "0");
        a = ParleyProcess.start("instance-a", env);
        b = ParleyProcess.start("instance-b", env);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] { a, b, redis }) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void aMessageSentOnOneInstanceReachesSubscribersOnTheOther() {
        User alice = User.register(a, "alice");
        User bob = User.register(b, "bob");
        String room = createRoom(a, alice.token);
        try (WsClient onA = WsClient.connectWithHeader(a.ws(), alice.token);
                WsClient onB = WsClient.connectWithHeader(b.ws(), bob.token)) {
            subscribe(onA, room, null);
            subscribe(onB, room, null);
            JsonNode sent = onA.request(Frames.frame("send", "a1", "room", room, "text", "from A"), "a1");
            JsonNode received = onB.awaitEvents("message", room, 1).get(0);
            assertThat(received.path("seq").asLong()).isEqualTo(sent.path("seq").asLong());
            assertThat(received.path("text").asText()).isEqualTo("from A");

            onB.request(Frames.frame("send", "b1", "room", room, "text", "from B"), "b1");
            List<JsonNode> onAEvents = onA.awaitEvents("message", room, 2);
            assertThat(onAEvents.get(1).path("text").asText()).isEqualTo("from B");
            assertThat(onAEvents.get(1).path("seq").asLong()).isEqualTo(2);
            // the sender's own connection hears its message once, not again through Redis
            assertThat(onB.awaitEvents("message", room, 2)).hasSize(2);
        }
    }

    @Test
    void aClientResumesOnTheOtherInstanceWithExactlyWhatItMissed() {
        User alice = User.register(a, "alice");
        User bob = User.register(a, "bob");
        String room = createRoom(a, alice.token);
        long lastSeen;
        try (WsClient bobOnA = WsClient.connectWithHeader(a.ws(), bob.token)) {
            subscribe(bobOnA, room, null);
            post(a, alice.token, room, "before the drop");
            lastSeen = bobOnA.awaitEvents("message", room, 1).get(0).path("seq").asLong();
        }
        for (int i = 1; i <= 4; i++) {
            post(i % 2 == 0 ? a : b, alice.token, room, "missed " + i);
        }
        try (WsClient bobOnB = WsClient.connectWithHeader(b.ws(), bob.token)) {
            JsonNode ok = subscribe(bobOnB, room, lastSeen);
            assertThat(ok.path("missed").asInt()).isEqualTo(4);
            assertThat(bobOnB.events("message", room)).extracting(m -> m.path("text").asText())
                    .containsExactly("missed 1", "missed 2", "missed 3", "missed 4");
        }
    }

    @Test
    void sendersOnBothInstancesGetOneGaplessSequence() throws Exception {
        User owner = User.register(a, "owner");
        String room = createRoom(a, owner.token);
        List<User> senders = IntStream.range(0, 6).mapToObj(i -> User.register(i % 2 == 0 ? a : b, "s" + i)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(24);
        ConcurrentLinkedQueue<Integer> seqs = new ConcurrentLinkedQueue<>();
        for (int t = 0; t < 24; t++) {
            ParleyProcess target = t % 2 == 0 ? a : b;
            User sender = senders.get(t % senders.size());
            pool.submit(() -> {
                for (int i = 0; i < 5; i++) {
                    seqs.add(post(target, sender.token, room, "x"));
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
        assertThat(seqs).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 120).boxed().toList());
    }

    @Test
    void subscribersMissNothingThroughARedisCrash() {
        User alice = User.register(a, "alice");
        User bob = User.register(b, "bob");
        String room = createRoom(a, alice.token);
        try (WsClient bobOnB = WsClient.connectWithHeader(b.ws(), bob.token)) {
            subscribe(bobOnB, room, null);
            post(a, alice.token, room, "before");
            bobOnB.awaitEvents("message", room, 1);

            redis.kill();
            // sends keep being committed and acknowledged while Redis is down
            for (int i = 1; i <= 3; i++) {
                post(a, alice.token, room, "during " + i);
            }
            // so the instances stay in the Service; only the wellness check reports Redis down
            for (ParleyProcess instance : List.of(a, b)) {
                given().baseUri(instance.baseUrl()).get("/q/health/ready").then().statusCode(200);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().baseUri(instance.baseUrl())
                        .get("/q/health/well").then().statusCode(503));
            }
            redis.startAgain();

            // instance B notices, resubscribes and replays from PostgreSQL by itself
            List<JsonNode> events = bobOnB.awaitEvents("message", room, 4);
            assertThat(events).extracting(m -> m.path("seq").asLong()).containsExactly(1L, 2L, 3L, 4L);
            // and live delivery across instances works again
            awaitLive(bobOnB, room, alice);
        }
    }

    // After the link is back, live events flow again (A's publisher pool may need a moment to reconnect).
    private static void awaitLive(WsClient client, String room, User sender) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            int seq = post(a, sender.token, room, "after");
            await().atMost(Duration.ofSeconds(3))
                    .until(() -> client.events("message", room).stream().anyMatch(m -> m.path("seq").asInt() == seq));
        });
    }

    private record User(String id, String username, String token) {
        static User register(ParleyProcess instance, String prefix) {
            String username = (prefix + "-" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase();
            String id = given().baseUri(instance.baseUrl()).contentType(ContentType.JSON)
                    .body(Map.of("username", username, "password", "password-123"))
                    .post("/api/auth/register").then().statusCode(201).extract().path("id");
            String token = given().baseUri(instance.baseUrl()).contentType(ContentType.JSON)
                    .body(Map.of("username", username, "password", "password-123"))
                    .post("/api/auth/login").then().statusCode(200).extract().path("accessToken");
            return new User(id, username, token);
        }
    }

    private static String createRoom(ParleyProcess instance, String token) {
        return given().baseUri(instance.baseUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("name", "room-" + System.nanoTime(), "visibility", "public"))
                .post("/api/rooms").then().statusCode(201).extract().path("id");
    }

    private static int post(ParleyProcess instance, String token, String room, String text) {
        return given().baseUri(instance.baseUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("text", text)).post("/api/rooms/" + room + "/messages")
                .then().statusCode(201).extract().path("seq");
    }

    private static JsonNode subscribe(WsClient client, String room, Long since) {
        String id = "sub-" + System.nanoTime();
        JsonNode ok = client.request(since == null ? Frames.frame("subscribe", id, "room", room)
                : Frames.frame("subscribe", id, "room", room, "since", since), id);
        assertThat(ok.path("type").asText()).as(ok.toString()).isEqualTo("ok");
        return ok;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}

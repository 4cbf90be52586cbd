package dev.parley.fanout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.Frames;
import dev.parley.testsupport.ParleyProcess;
import dev.parley.testsupport.RedisServer;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WsClient;

/**
 * Instances on a Redis that requires a password, given only as {@code QUARKUS_REDIS_PASSWORD} (as a
 * Kubernetes Secret would give it), never in {@code PARLEY_REDIS_URL}: every Redis connection of an
 * instance, the pub/sub subscriber's included, must use it. The catch-up and the gap repair are
 * slowed far beyond this test's waits, so a message can reach the other instance only live, through
 * the subscriber.
 */
class RedisPasswordIT {

    private static final String DATABASE = "parley_it_redis_password";
    private static final String PASSWORD = "secret-" + UUID.randomUUID();
    private static final int PER_CLIENT = 5;

    private static RedisServer redis;
    private static Map<String, String> env;
    private static ParleyProcess a;
    private static ParleyProcess b;

    @BeforeAll
    static void startTwoInstances() throws Exception {
        DatabaseTestResource.recreate(DATABASE);
        redis = RedisServer.startWithPassword(PASSWORD);
        env = ParleyProcess.environment(DATABASE, redis);
        env.put("QUARKUS_REDIS_PASSWORD", PASSWORD);
        env.put("PARLEY_WEBSOCKET_CATCH_UP_INTERVAL", "PT10M");
        env.put("PARLEY_WEBSOCKET_GAP_TIMEOUT", "PT10M");
        a = ParleyProcess.start("redis-password-a", env);
        b = ParleyProcess.start("redis-password-b", env);
    }

    @AfterAll
    static void stop() {
        ParleyProcess.stopAll(a, b, redis);
    }

    @Test
    void clientsOnBothInstancesGetEveryMessageLiveOnceAndInOrder() {
        TestUser owner = a.register("owner");
        String room = a.createRoom(owner.token());
        List<WsClient> clients = new ArrayList<>();
        try {
            for (ParleyProcess instance : List.of(a, a, b, b)) {
                WsClient client = WsClient.connectWithHeader(instance.ws(), instance.register("member").token());
                clients.add(client);
                client.subscribe(room, null);
            }
            // both instances' subscribers hold the room's channel, authenticated
            await().atMost(Duration.ofSeconds(10)).untilAsserted(
                    () -> assertThat(redis.subscribers("parley:room:{" + room + "}")).isEqualTo(2));

            List<Long> sent = new ArrayList<>();
            for (int i = 0; i < PER_CLIENT; i++) {
                for (int c = 0; c < clients.size(); c++) {
                    String id = "m" + c + "-" + i;
                    JsonNode ack = clients.get(c).request(Frames.frame("send", id, "room", room, "text", id), id);
                    sent.add(ack.path("seq").asLong());
                }
            }

            for (WsClient client : clients) {
                List<JsonNode> received = client.awaitEvents("message", room, sent.size());
                assertThat(received).extracting(m -> m.path("seq").asLong()).containsExactlyElementsOf(sent);
            }

            // how long a message takes from its acknowledgement on A to a client on B
            List<Long> millis = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = "timed-" + i;
                long seq = clients.get(0).request(Frames.frame("send", id, "room", room, "text", id), id).path("seq").asLong();
                long acked = System.nanoTime();
                clients.get(2).awaitFrame(f -> "message".equals(f.path("type").asText()) && f.path("seq").asLong() == seq);
                millis.add((System.nanoTime() - acked) / 1_000_000);
            }
            millis.sort(null);
            System.out.printf("REDIS-PASSWORD A to B after the ack: median %d ms, p95 %d ms, max %d ms (20 messages)%n",
                    millis.get(10), millis.get(18), millis.get(19));
        } finally {
            clients.forEach(WsClient::close);
        }
        for (ParleyProcess instance : List.of(a, b)) {
            given().baseUri(instance.managementUrl()).get("/q/health/well").then().statusCode(200)
                    .body("checks.find { it.name == 'redis' }.data.subscriber", equalTo("subscribed"));
            assertThat(instance.log().lines().filter(l -> l.contains("RedisBroker") || isStackTrace(l)))
                    .as("the broker's complaints and stack frames in the log").isEmpty();
        }
    }

    @Test
    void anInstanceWithAWrongPasswordKeepsTryingSaysSoOnceAndReportsItsSubscriberDown() {
        Map<String, String> wrong = new HashMap<>(env);
        wrong.put("QUARKUS_REDIS_PASSWORD", "not-" + PASSWORD);
        long refusedBefore = redis.refusedAuthentications();
        try (ParleyProcess c = ParleyProcess.start("redis-password-wrong", wrong)) {
            // the subscriber keeps trying: each try is refused twice (HELLO, then AUTH)
            await().atMost(Duration.ofSeconds(30)).until(() -> redis.refusedAuthentications() - refusedBefore >= 6);
            long logLines = c.log().lines().count();
            long refused = redis.refusedAuthentications();
            await().atMost(Duration.ofSeconds(30)).until(() -> redis.refusedAuthentications() - refused >= 8);
            // four more tries, not one more log line; a single warning in all, and no stack trace
            assertThat(c.log().lines().count()).isEqualTo(logLines);
            assertThat(c.log().lines().filter(l -> l.contains("RedisBroker"))).singleElement().asString()
                    .contains("WARN").contains("WRONGPASS");
            assertThat(c.log().lines().filter(l -> isStackTrace(l))).isEmpty();

            given().baseUri(c.managementUrl()).get("/q/health/well").then().statusCode(503)
                    .body("checks.find { it.name == 'redis' }.status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'redis' }.data.subscriber", equalTo("connecting"))
                    .body("checks.find { it.name == 'redis' }.data.subscriber-error", containsString("WRONGPASS"));
            // still ready: Redis is not part of readiness
            given().baseUri(c.managementUrl()).get("/q/health/ready").then().statusCode(200);
        }
    }

    @Test
    void anInstanceMissingThePasswordReportsItsSubscriberDownThoughTheClientsHandshakeLetsItThrough() {
        Map<String, String> none = new HashMap<>(env);
        none.remove("QUARKUS_REDIS_PASSWORD");
        try (ParleyProcess c = ParleyProcess.start("redis-password-missing", none)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().baseUri(c.managementUrl())
                    .get("/q/health/well").then().statusCode(503)
                    .body("checks.find { it.name == 'redis' }.data.subscriber", equalTo("connecting"))
                    .body("checks.find { it.name == 'redis' }.data.subscriber-error", containsString("NOAUTH")));
            assertThat(c.log().lines().filter(l -> l.contains("RedisBroker"))).singleElement().asString()
                    .contains("WARN").contains("NOAUTH");
            assertThat(c.log().lines().filter(l -> isStackTrace(l))).isEmpty();
        }
    }

    /** A stack frame of a plain log line, or the exception object of a JSON one (the packaged application's). */
    private static boolean isStackTrace(String line) {
        return line.startsWith("\tat ") || line.contains("\"exception\":{");
    }
}

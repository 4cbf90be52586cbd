package dev.parley.webhook;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WebhookReceiver;
import dev.parley.testsupport.WebhookReceiver.Received;

/**
 * Outgoing webhooks against a real HTTP receiver on this host (the test profile allows local
 * addresses, polls every 0.2 s, retries after 0.1 s doubling, and gives up after 2 s).
 */
@QuarkusTest
class WebhookTest {

    private record Bot(String id, String username, String token, String secret) {
    }

    @Test
    void aBotGetsEveryNewMessageOfItsRoomsSignedInOrderButNotItsOwnNorWhatCameBeforeItJoined() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            TestUser alice = TestUsers.create("alice");
            JsonPath made = given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                    .body(Map.of("name", "Echo", "webhookUrl", receiver.url("/hook?from=parley"))).post("/api/bots")
                    .then().statusCode(201).extract().jsonPath();
            Bot bot = new Bot(made.getString("id"), made.getString("username"), made.getString("token"),
                    made.getString("webhookSecret"));
            assertThat(bot.secret()).matches("[0-9a-f]{64}");
            assertThat(made.getString("webhookUrl")).isEqualTo(receiver.url("/hook?from=parley"));
            JsonPath listed = given().auth().oauth2(alice.token()).get("/api/bots").then().statusCode(200).extract().jsonPath();
            assertThat(listed.getList("webhookUrl")).containsExactly(receiver.url("/hook?from=parley"));
            assertThat(listed.getList("webhookSecret")).containsOnlyNulls(); // shown once

            String room = TestRooms.create(alice.token(), "private");
            String elsewhere = TestRooms.create(alice.token(), "private");
            send(alice, room, "before the bot came");
            TestRooms.invite(alice.token(), room, bot.username());
            for (int i = 1; i <= 5; i++) {
                send(alice, room, "hello " + i);
            }
            send(alice, elsewhere, "not the bot's room");
            send(new TestUser(bot.id(), bot.username(), bot.token()), room, "the bot's own");
            send(alice, room, "last");

            await().atMost(Duration.ofSeconds(15)).until(() -> texts(receiver).contains("last"));
            assertThat(texts(receiver)).containsExactly("hello 1", "hello 2", "hello 3", "hello 4", "hello 5", "last");
            long previous = 0;
            for (Received r : receiver.received()) {
                assertThat(r.signature()).isEqualTo("sha256=" + WebhookSender.sign(bot.secret(), r.body()));
                assertThat(r.contentType()).isEqualTo("application/json");
                JsonNode body = r.json();
                assertThat(body.path("room").asText()).isEqualTo(room);
                long seq = body.path("message").path("seq").asLong();
                assertThat(seq).isGreaterThan(previous);
                previous = seq;
                assertThat(r.delivery()).isEqualTo(room + ":" + seq);
                assertThat(body.path("message").path("user").path("id").asText()).isEqualTo(alice.id());
            }

            // removed from the room, the bot hears no more of it
            given().auth().oauth2(alice.token()).delete("/api/rooms/" + room + "/members/" + bot.username()).then()
                    .statusCode(204);
            send(alice, room, "after it left");
            // a second bot still in the room shows when the removed one would have been delivered to
            try (WebhookReceiver other = WebhookReceiver.start()) {
                String otherBot = given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                        .body(Map.of("name", "Witness", "webhookUrl", other.url("/"))).post("/api/bots").then()
                        .statusCode(201).extract().path("username");
                TestRooms.invite(alice.token(), room, otherBot);
                send(alice, room, "seen by the witness");
                await().atMost(Duration.ofSeconds(15)).until(() -> texts(other).contains("seen by the witness"));
                Thread.sleep(500);
            }
            assertThat(texts(receiver)).doesNotContain("after it left", "seen by the witness");
        }
    }

    @Test
    void aFailingEndpointIsRetriedWithGrowingWaitsThenAMessageStillFailingIsGivenUpAndTheNextDelivered()
            throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            TestUser alice = TestUsers.create("alice");
            String username = given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                    .body(Map.of("name", "Flaky", "webhookUrl", receiver.url("/"))).post("/api/bots").then().statusCode(201)
                    .extract().path("username");
            String room = TestRooms.create(alice.token(), "public");
            TestRooms.invite(alice.token(), room, username);

            // the first three attempts fail, the fourth is taken
            AtomicInteger attempts = new AtomicInteger();
            receiver.answer(r -> attempts.incrementAndGet() <= 3 ? 503 : 200);
            send(alice, room, "retried");
            await().atMost(Duration.ofSeconds(15)).until(() -> attempts.get() >= 4);
            List<Received> tries = receiver.received();
            assertThat(tries).hasSize(4);
            assertThat(tries).allSatisfy(r -> assertThat(r.json().path("message").path("text").asText()).isEqualTo("retried"));
            long first = tries.get(1).atNanos() - tries.get(0).atNanos();
            long third = tries.get(3).atNanos() - tries.get(2).atNanos();
            assertThat(first).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos());
            assertThat(third).isGreaterThanOrEqualTo(Duration.ofMillis(400).toNanos()); // 0.1 s, 0.2 s, 0.4 s

            // a message refused for longer than retry-for (2 s) is given up; the next one goes
            receiver.answer(r -> r.json().path("message").path("text").asText().equals("refused") ? 500 : 200);
            send(alice, room, "refused");
            send(alice, room, "after");
            await().atMost(Duration.ofSeconds(20)).until(() -> texts(receiver).contains("after"));
            List<String> texts = texts(receiver);
            assertThat(texts.subList(4, texts.size())).containsOnly("refused", "after");
            assertThat(texts.stream().filter("refused"::equals).count()).isGreaterThan(2);
            assertThat(texts.get(texts.size() - 1)).isEqualTo("after");
        }
    }

    @Test
    void webhookUrlsMustBeHttpWithoutCredentialsAndNeverTheWildcardAddress() {
        TestUser alice = TestUsers.create("alice");
        for (String url : List.of("ftp://example.com/hook", "javascript:alert(1)", "http:///nohost", "http://user:pw@example.com/",
                "http://0.0.0.0:8080/", "http://[::]/", "not a url", "https://example.com/" + "x".repeat(2048))) {
            given().auth().oauth2(alice.token()).contentType(ContentType.JSON).body(Map.of("name", "bad", "webhookUrl", url))
                    .post("/api/bots").then().statusCode(400).contentType("application/problem+json");
        }
        given().auth().oauth2(alice.token()).get("/api/bots").then().statusCode(200).body("size()", org.hamcrest.Matchers.is(0));
    }

    private static void send(TestUser user, String room, String text) {
        given().auth().oauth2(user.token()).contentType(ContentType.JSON).body(Map.of("text", text))
                .post("/api/rooms/" + room + "/messages").then().statusCode(201);
    }

    private static List<String> texts(WebhookReceiver receiver) {
        return receiver.received().stream().map(r -> r.json().path("message").path("text").asText()).toList();
    }
}

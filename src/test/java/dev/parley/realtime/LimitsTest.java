package dev.parley.realtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import dev.parley.testsupport.Frames;
import dev.parley.testsupport.Metrics;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

@QuarkusTest
@TestProfile(TightLimitsProfile.class)
class LimitsTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Inject
    RoomHub hub;

    @Test
    void subscriptionsPerConnectionAreLimited() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token())) {
            String r1 = TestRooms.create(alice.token(), "public");
            String r2 = TestRooms.create(alice.token(), "public");
            String r3 = TestRooms.create(alice.token(), "public");
            assertThat(a.request(Frames.frame("subscribe", "1", "room", r1), "1").path("type").asText()).isEqualTo("ok");
            assertThat(a.request(Frames.frame("subscribe", "2", "room", r2), "2").path("type").asText()).isEqualTo("ok");
            JsonNode third = a.request(Frames.frame("subscribe", "3", "room", r3), "3");
            assertThat(third.path("code").asText()).isEqualTo("too_large");
            assertThat(hub.localSubscribers(r3)).isZero();
            // subscribing again to a room already held is no new subscription
            assertThat(a.request(Frames.frame("subscribe", "4", "room", r1), "4").path("type").asText()).isEqualTo("ok");
        }
    }

    @Test
    void sendsBeyondTheBudgetAreRateLimitedAndNotStored() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        String before = Metrics.scrape();
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token())) {
            for (int i = 0; i < 6; i++) {
                a.send(Frames.frame("send", "r" + i, "room", room, "text", "burst " + i));
            }
            long limited = 0;
            long stored = 0;
            for (int i = 0; i < 6; i++) {
                String id = "r" + i;
                JsonNode answer = a.awaitFrame(f -> id.equals(f.path("id").asText()));
                if ("rate_limited".equals(answer.path("code").asText())) {
                    // the wait until the bucket holds a token again: under a second at these rates
                    assertThat(answer.path("retryAfterMs").asLong()).as("%s", answer).isBetween(1L, 1000L);
                    limited++;
                } else if ("ok".equals(answer.path("type").asText())) {
                    stored++;
                }
            }
            // a burst of 3, and perhaps one more token earned while the frames were read
            assertThat(stored).isBetween(3L, 4L);
            assertThat(limited).isEqualTo(6 - stored);
            // each refusal is counted under its limit
            assertThat(Metrics.moved(before, Metrics.scrape(), "parley_requests_rate_limited_total", "limit", "sends"))
                    .isEqualTo(limited);
            final long expected = stored;
            given().auth().oauth2(alice.token()).get("/api/rooms/" + room).then()
                    .body("lastSeq", equalTo((int) expected));
            // the budget refills over time
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(300)).until(() -> {
                String id = "later-" + System.nanoTime();
                return "ok".equals(a.request(Frames.frame("send", id, "room", room, "text", "later"), id)
                        .path("type").asText());
            });
        }
    }

    @Test
    void sendsRefusedForTheirContentDoNotSpendTheBudget() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token())) {
            for (int i = 0; i < 10; i++) {
                String id = "empty" + i;
                assertThat(a.request(Frames.frame("send", id, "room", room, "text", " "), id).path("code").asText())
                        .isEqualTo("bad_request");
            }
            // the burst of 3 is still whole
            for (int i = 0; i < 3; i++) {
                String id = "ok" + i;
                assertThat(a.request(Frames.frame("send", id, "room", room, "text", "fine " + i), id).path("type").asText())
                        .isEqualTo("ok");
            }
        }
    }

    @Test
    void aClientThatStopsReadingIsClosedInsteadOfGrowingServerMemory() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser sleepy = TestUsers.create("sleepy");
        String room = TestRooms.create(alice.token(), "public");
        String before = Metrics.scrape();
        try (WsClient s = WsClient.connectWithHeader(ws, sleepy.token())) {
            assertThat(s.request(Frames.frame("subscribe", "s", "room", room), "s").path("type").asText())
                    .isEqualTo("ok");
            s.stopReading();
            String big = "z".repeat(50_000);
            // far more than the socket buffers and the 64 KiB outbound limit can hold
            for (int i = 0; i < 400 && hub.localSubscribers(room) > 0; i++) {
                given().auth().oauth2(alice.token()).contentType(ContentType.JSON).body(Map.of("text", big))
                        .post("/api/rooms/" + room + "/messages").then().statusCode(201);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> hub.localSubscribers(room) == 0);
        }
        // counted as a slow consumer's close
        assertThat(Metrics.moved(before, Metrics.scrape(), "parley_connections_slow_closed_total")).isEqualTo(1);
    }
}

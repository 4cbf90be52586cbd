package dev.parley.limit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;

import dev.parley.testsupport.Metrics;
import dev.parley.testsupport.PingBurst;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WsClient;

/**
 * The per-user limits with Redis (one instance here; {@code UserLimitsIT} runs two): the request
 * budget over all of a user's sockets and calls, open connections, and the hourly and bot limits,
 * each answering 429 and creating nothing, while other users go on unaffected.
 */
@QuarkusTest
@TestProfile(UserLimitsProfile.class)
class UserLimitsTest {

    static final int RATE = 5;
    static final int BURST = 20;

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void oneUserOnManySocketsIsHeldToOneBudgetInTotal() {
        TestUser alice = TestUsers.create("alice");
        TestUser bob = TestUsers.create("bob");
        List<WsClient> sockets = new ArrayList<>();
        String before = Metrics.scrape();
        try {
            long start = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                sockets.add(WsClient.connectWithHeader(ws, alice.token()));
            }
            // 60 requests: each socket alone stays within the budget, the three together do not
            PingBurst.Result result = PingBurst.fire(sockets, 20);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("per-user budget, one instance: %d pongs, %d rate_limited in %.2f s%n", result.pongs(),
                    result.limited(), seconds);
            assertThat(result.total()).isEqualTo(60);
            assertThat(result.other()).isZero();
            // the three upgrades were charged too
            assertThat(result.pongs()).isLessThanOrEqualTo((int) (BURST - 3 + RATE * seconds) + 1);
            assertThat(result.pongs()).isGreaterThanOrEqualTo(10);
            assertThat(result.limited()).isPositive();
            assertThat(sockets).allMatch(WsClient::isOpen);

            // REST calls draw on the same budget: 429 with Retry-After
            ExtractableResponse<Response> refused = null;
            for (int i = 0; i < 20 && refused == null; i++) {
                ExtractableResponse<Response> r = given().auth().oauth2(alice.token()).get("/api/rooms").then().extract();
                if (r.statusCode() == 429) {
                    refused = r;
                }
            }
            assertThat(refused).as("a REST call over the budget").isNotNull();
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.path("code").toString()).isEqualTo("rate_limited");
            assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 2L);
            // every refused frame and call is counted under the user's budget
            assertThat(Metrics.moved(before, Metrics.scrape(), "parley_requests_rate_limited_total", "limit", "user-requests"))
                    .isGreaterThanOrEqualTo(result.limited() + 1);

            // another user is not touched by alice's budget
            try (WsClient other = WsClient.connectWithHeader(ws, bob.token())) {
                assertThat(PingBurst.fire(List.of(other), 10).pongs()).isEqualTo(10);
            }
            given().auth().oauth2(bob.token()).get("/api/rooms").then().statusCode(200);
        } finally {
            sockets.forEach(WsClient::close);
        }
    }

    @Test
    void connectionsPerUserAreLimitedAndASlotIsFreedWhenASocketCloses() {
        TestUser alice = TestUsers.create("alice");
        TestUser bob = TestUsers.create("bob");
        List<WsClient> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                sockets.add(WsClient.connectWithHeader(ws, alice.token()));
            }
            String before = Metrics.scrape();
            assertThatThrownBy(() -> WsClient.connectWithHeader(ws, alice.token()))
                    .isInstanceOfSatisfying(WsClient.UpgradeRefused.class, e -> assertThat(e.status()).isEqualTo(429));
            assertRefusalCounted(before, "connections");
            // bob is not counted with alice
            WsClient bobs = WsClient.connectWithHeader(ws, bob.token());
            sockets.add(bobs);
            sockets.remove(0).close();
            WsClient again = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .ignoreException(WsClient.UpgradeRefused.class)
                    .until(() -> WsClient.connectWithHeader(ws, alice.token()), c -> c != null);
            sockets.add(again);
            assertThat(again.isOpen()).isTrue();
        } finally {
            sockets.forEach(WsClient::close);
        }
    }

    @Test
    void roomCreationsPerHourAreLimited() {
        TestUser alice = TestUsers.create("alice");
        TestRooms.create(alice.token(), "public");
        TestRooms.create(alice.token(), "private");
        String name = TestUsers.uniqueName("third");
        String before = Metrics.scrape();
        ExtractableResponse<Response> refused = given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                .body(Map.of("name", name, "visibility", "public")).post("/api/rooms").then().extract();
        assertHourlyRefusal(refused);
        assertRefusalCounted(before, "room-creations");
        List<String> names = TestRooms.all(alice.token()).stream().map(r -> (String) r.get("name")).toList();
        assertThat(names).doesNotContain(name);
        // another user still creates rooms
        TestRooms.create(TestUsers.create("bob").token(), "public");
    }

    @Test
    void aRoomCreationThatFailsIsNotCounted() {
        TestUser alice = TestUsers.create("alice");
        String taken = TestUsers.uniqueName("taken");
        given().auth().oauth2(TestUsers.create("bob").token()).contentType(ContentType.JSON)
                .body(Map.of("name", taken, "visibility", "public")).post("/api/rooms").then().statusCode(201);
        given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                .body(Map.of("name", taken, "visibility", "public")).post("/api/rooms").then().statusCode(409);
        TestRooms.create(alice.token(), "public");
        TestRooms.create(alice.token(), "public");
    }

    @Test
    void invitationsPerHourAreLimitedAndOnlyNewMembersCount() {
        TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "private");
        TestUser u1 = TestUsers.create("u1");
        TestUser u2 = TestUsers.create("u2");
        TestUser u3 = TestUsers.create("u3");
        invite(alice, room, u1).then().statusCode(201);
        invite(alice, room, u1).then().statusCode(200);
        invite(alice, room, u2).then().statusCode(201);
        String before = Metrics.scrape();
        assertHourlyRefusal(invite(alice, room, u3).then().extract());
        assertRefusalCounted(before, "invitations");
        given().auth().oauth2(u3.token()).get("/api/rooms/" + room).then().statusCode(403);
        // at the limit, changing the role of a member adds nobody and is not refused
        given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                .body(Map.of("username", u1.username(), "role", "admin"))
                .post("/api/rooms/" + room + "/members").then().statusCode(200).body("role", org.hamcrest.Matchers.equalTo("admin"));
        // another owner invites on their own count
        TestUser bob = TestUsers.create("bob");
        invite(bob, TestRooms.create(bob.token(), "private"), u3).then().statusCode(201);
    }

    @Test
    void directRoomsPerHourAreLimitedButReopeningIsNot() {
        TestUser alice = TestUsers.create("alice");
        TestUser u1 = TestUsers.create("u1");
        TestUser u2 = TestUsers.create("u2");
        TestUser u3 = TestUsers.create("u3");
        String first = dm(alice, u1).then().statusCode(201).extract().path("id");
        dm(alice, u2).then().statusCode(201);
        assertThat(dm(alice, u1).then().statusCode(200).extract().<String>path("id")).isEqualTo(first);
        String before = Metrics.scrape();
        assertHourlyRefusal(dm(alice, u3).then().extract());
        assertRefusalCounted(before, "direct-rooms");
        List<Map<String, Object>> direct = TestRooms.all(alice.token()).stream()
                .filter(r -> "direct".equals(r.get("visibility"))).toList();
        assertThat(direct).hasSize(2);
        // u3 opens the room with alice on u3's own budget
        dm(u3, alice).then().statusCode(201);
    }

    @Test
    void attachmentsPerHourAreLimited() {
        TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        upload(alice, room, "a.txt").then().statusCode(201);
        upload(alice, room, "b.txt").then().statusCode(201);
        String before = Metrics.scrape();
        assertHourlyRefusal(upload(alice, room, "c.txt").then().extract());
        assertRefusalCounted(before, "attachments");
        given().auth().oauth2(alice.token()).get("/api/rooms/" + room).then().statusCode(200)
                .body("lastSeq", org.hamcrest.Matchers.equalTo(2));
    }

    @Test
    void botsPerUserAreLimitedToLiveOnes() {
        TestUser alice = TestUsers.create("alice");
        String first = bot(alice, "one").then().statusCode(201).extract().path("id");
        bot(alice, "two").then().statusCode(201);
        String before = Metrics.scrape();
        ExtractableResponse<Response> refused = bot(alice, "three").then().extract();
        assertThat(refused.statusCode()).isEqualTo(429);
        assertRefusalCounted(before, "bots");
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.path("code").toString()).isEqualTo("rate_limited");
        List<String> names = given().auth().oauth2(alice.token()).get("/api/bots").then().statusCode(200)
                .extract().path("name");
        assertThat(names).containsExactly("one", "two");
        given().auth().oauth2(alice.token()).delete("/api/bots/" + first).then().statusCode(204);
        bot(alice, "three").then().statusCode(201);
    }

    @Test
    void creationsAtOnceCannotTakeTheLastBotSlotTwice() throws Exception {
        TestUser alice = TestUsers.create("alice");
        bot(alice, "one").then().statusCode(201);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String name = "racer" + i;
                answers.add(pool.submit(() -> bot(alice, name).statusCode()));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : answers) {
                statuses.add(answer.get(30, TimeUnit.SECONDS));
            }
            assertThat(statuses).containsOnly(201, 429).filteredOn(s -> s == 201).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(given().auth().oauth2(alice.token()).get("/api/bots").then().statusCode(200)
                .extract().<List<String>>path("name")).hasSize(2);
    }

    // one refusal, counted under its limit
    private static void assertRefusalCounted(String before, String limit) {
        assertThat(Metrics.moved(before, Metrics.scrape(), "parley_requests_rate_limited_total", "limit", limit)).isEqualTo(1);
    }

    private static void assertHourlyRefusal(ExtractableResponse<Response> refused) {
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.path("code").toString()).isEqualTo("rate_limited");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(3500L, 3600L);
    }

    private static Response invite(TestUser owner, String room, TestUser who) {
        return given().auth().oauth2(owner.token()).contentType(ContentType.JSON).body(Map.of("username", who.username()))
                .post("/api/rooms/" + room + "/members");
    }

    private static Response dm(TestUser caller, TestUser other) {
        return given().auth().oauth2(caller.token()).contentType(ContentType.JSON).body(Map.of("username", other.username()))
                .post("/api/dms");
    }

    private static Response upload(TestUser user, String room, String name) {
        return given().auth().oauth2(user.token()).multiPart("file", name, ("content of " + name).getBytes(), "text/plain")
                .post("/api/rooms/" + room + "/attachments");
    }

    private static Response bot(TestUser owner, String name) {
        return given().auth().oauth2(owner.token()).contentType(ContentType.JSON).body(Map.of("name", name))
                .post("/api/bots");
    }
}

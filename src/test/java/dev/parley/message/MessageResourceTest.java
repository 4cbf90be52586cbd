package dev.parley.message;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.RedisSubscriber;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.UnpublishedCommits;

@QuarkusTest
class MessageResourceTest {

    @Test
    void postingStoresTheMessageWithTheNextSeq() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        post(alice.token(), room, Map.of("text", "hello")).then().statusCode(201)
                .body("room", equalTo(room))
                .body("seq", equalTo(1))
                .body("text", equalTo("hello"))
                .body("user.id", equalTo(alice.id()))
                .body("user.username", equalTo(alice.username()))
                .body("user.name", equalTo("User " + alice.username()))
                .body("ts", matchesPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        post(alice.token(), room, Map.of("text", "again")).then().statusCode(201).body("seq", equalTo(2));
    }

    @Test
    void aRetryWithTheSameClientMsgIdReturnsTheFirstMessageAndStoresNothing() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        post(alice.token(), room, Map.of("text", "once", "clientMsgId", "c-1")).then().statusCode(201).body("seq", equalTo(1));
        post(alice.token(), room, Map.of("text", "once", "clientMsgId", "c-1")).then().statusCode(200)
                .body("seq", equalTo(1)).body("clientMsgId", equalTo("c-1"));
        post(alice.token(), room, Map.of("text", "twice", "clientMsgId", "c-2")).then().statusCode(201).body("seq", equalTo(2));
        given().auth().oauth2(alice.token()).get("/api/rooms/" + room + "/messages")
                .then().statusCode(200).body("messages.size()", equalTo(2));
    }

    @Test
    void fiveHundredRetriesOfOneClientMsgIdPublishTheMessageAtMostTwice() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        try (RedisSubscriber channel = RedisSubscriber.subscribe("127.0.0.1", 6379, roomChannel(room))) {
            int seq = post(alice.token(), room, Map.of("text", "once", "clientMsgId", "r-1")).then().statusCode(201)
                    .extract().path("seq");
            long start = System.nanoTime();
            for (int i = 0; i < 500; i++) {
                post(alice.token(), room, Map.of("text", "once", "clientMsgId", "r-1")).then().statusCode(200)
                        .body("seq", equalTo(seq));
            }
            // publishes leave in order: once the next message is on the channel, every retry's has been
            int next = post(alice.token(), room, Map.of("text", "next")).then().statusCode(201).extract().path("seq");
            await().atMost(Duration.ofSeconds(10)).until(() -> publishedSeqs(channel).contains((long) next));
            long publishes = publishedSeqs(channel).stream().filter(s -> s == seq).count();
            // the send's own publish, then at most one republish per window the retries lasted into
            // (one on a machine that keeps up, but a slow run may span a second window)
            long windows = (System.nanoTime() - start) / RepublishWindow.WINDOW_NANOS + 1;
            assertThat(publishes).as("publishes of the retried message over %d windows", windows).isBetween(1L, 1 + windows);
        }
    }

    @Test
    void aRetryOfAMessageCommittedButNeverPublishedPublishesIt() throws Exception {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        // as when the instance died between the commit and the publish
        long seq = commitWithoutPublishing(room, "lost-1");
        try (RedisSubscriber channel = RedisSubscriber.subscribe("127.0.0.1", 6379, roomChannel(room))) {
            post(alice.token(), room, Map.of("text", "committed, never published", "clientMsgId", "lost-1")).then()
                    .statusCode(200).body("seq", equalTo((int) seq));
            await().atMost(Duration.ofSeconds(10)).until(() -> publishedSeqs(channel).contains(seq));
        }
    }

    @Test
    void concurrentRetriesOfOneClientMsgIdStoreItOnce() throws Exception {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        ExecutorService pool = Executors.newFixedThreadPool(10);
        ConcurrentLinkedQueue<Integer> seqs = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < 10; i++) {
            pool.submit(() -> seqs.add(post(alice.token(), room, Map.of("text", "dup", "clientMsgId", "same"))
                    .then().extract().path("seq")));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(seqs).hasSize(10).containsOnly(1);
        given().auth().oauth2(alice.token()).get("/api/rooms/" + room).then().body("lastSeq", equalTo(1));
    }

    @Test
    void fiftyConcurrentSendersGetGaplessSeqsWithoutDuplicates() throws Exception {
        TestUsers.TestUser owner = TestUsers.create("owner");
        String room = TestRooms.create(owner.token(), "public");
        List<TestUsers.TestUser> senders = IntStream.range(0, 10).mapToObj(i -> TestUsers.create("s" + i)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(50);
        ConcurrentLinkedQueue<Integer> seqs = new ConcurrentLinkedQueue<>();
        int perSender = 4;
        for (int t = 0; t < 50; t++) {
            TestUsers.TestUser sender = senders.get(t % senders.size());
            int thread = t;
            pool.submit(() -> {
                for (int i = 0; i < perSender; i++) {
                    seqs.add(post(sender.token(), room, Map.of("text", "m" + thread + "-" + i)).then().statusCode(201)
                            .extract().path("seq"));
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
        int n = 50 * perSender;
        assertThat(seqs).hasSize(n).doesNotHaveDuplicates();
        assertThat(seqs).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, n).boxed().toList());
        List<Integer> stored = given().auth().oauth2(owner.token()).get("/api/rooms/" + room + "/messages?limit=200")
                .then().statusCode(200).extract().path("messages.seq");
        assertThat(stored).containsExactlyElementsOf(IntStream.rangeClosed(1, n).boxed().toList());
    }

    @Test
    void historyPagesBackwardAndForward() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        for (int i = 1; i <= 7; i++) {
            post(alice.token(), room, Map.of("text", "m" + i)).then().statusCode(201);
        }
        history(alice.token(), room, "limit=3").then().statusCode(200)
                .body("messages.seq", equalTo(List.of(5, 6, 7))).body("hasMore", equalTo(true));
        history(alice.token(), room, "before=5&limit=3").then()
                .body("messages.seq", equalTo(List.of(2, 3, 4))).body("hasMore", equalTo(true));
        history(alice.token(), room, "before=2&limit=3").then()
                .body("messages.seq", equalTo(List.of(1))).body("hasMore", equalTo(false));
        history(alice.token(), room, "after=2&limit=3").then()
                .body("messages.seq", equalTo(List.of(3, 4, 5))).body("hasMore", equalTo(true));
        history(alice.token(), room, "after=5&limit=3").then()
                .body("messages.seq", equalTo(List.of(6, 7))).body("hasMore", equalTo(false));
        history(alice.token(), room, "").then()
                .body("messages.size()", equalTo(7)).body("hasMore", equalTo(false));
        history(alice.token(), room, "limit=100000").then().statusCode(200).body("messages.size()", equalTo(7));
    }

    @Test
    void badHistoryParametersAreBadRequestsNotNotFound() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        for (String query : List.of("limit=abc", "limit=0", "limit=-5", "before=x", "after=1.5", "before=3&after=1",
                "before=0", "after=-1")) {
            history(alice.token(), room, query).then().statusCode(400).contentType("application/problem+json");
        }
        history(alice.token(), "no-such-room", "").then().statusCode(404);
    }

    @Test
    void badTextsAreRefusedAndStoreNothing() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        post(alice.token(), room, Map.of("text", "")).then().statusCode(400).contentType("application/problem+json");
        post(alice.token(), room, Map.of("text", "   ")).then().statusCode(400);
        post(alice.token(), room, Map.of()).then().statusCode(400);
        post(alice.token(), room, Map.of("text", "x".repeat(4001))).then().statusCode(413)
                .body("type", equalTo("urn:parley:problem:too_large"));
        post(alice.token(), room, Map.of("text", "x", "clientMsgId", "c".repeat(65))).then().statusCode(400);
        given().auth().oauth2(alice.token()).contentType(ContentType.JSON).body("{\"text\":5}")
                .post("/api/rooms/" + room + "/messages").then().statusCode(400);
        // 4,000 emoji are 8,000 chars but 4,000 characters to a person: allowed
        post(alice.token(), room, Map.of("text", "😀".repeat(4000))).then().statusCode(201).body("seq", equalTo(1));
        given().auth().oauth2(alice.token()).get("/api/rooms/" + room).then().body("lastSeq", equalTo(1));
    }

    @Test
    void aNonMemberPostsToAPublicRoomAndJoinsButNotToAPrivateOne() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String open = TestRooms.create(alice.token(), "public");
        String secret = TestRooms.create(alice.token(), "private");
        post(bob.token(), open, Map.of("text", "hi")).then().statusCode(201);
        given().auth().oauth2(bob.token()).get("/api/rooms/" + open).then().body("role", equalTo("member"));
        post(bob.token(), secret, Map.of("text", "let me in")).then().statusCode(403);
        post(bob.token(), "no-such-room", Map.of("text", "hi")).then().statusCode(404);
        given().auth().oauth2(alice.token()).get("/api/rooms/" + secret).then().body("lastSeq", equalTo(0));
    }

    private static String roomChannel(String room) {
        return "parley:room:{" + room + "}";
    }

    // the seq of each event published on the channel; an event is "<origin> <seq> <type> <subject>\n<json>"
    private static List<Long> publishedSeqs(RedisSubscriber channel) {
        return channel.messages().stream().map(m -> Long.parseLong(m.split(" ", 3)[1])).toList();
    }

    private static long commitWithoutPublishing(String room, String clientMsgId) throws SQLException {
        try (Connection db = DatabaseTestResource.connect(DatabaseTestResource.DATABASE)) {
            return UnpublishedCommits.commit(db, room, clientMsgId);
        }
    }

    private static Response post(String token, String room, Map<String, String> body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                .post("/api/rooms/" + room + "/messages");
    }

    private static Response history(String token, String room, String query) {
        return given().auth().oauth2(token).get("/api/rooms/" + room + "/messages" + (query.isEmpty() ? "" : "?" + query));
    }
}

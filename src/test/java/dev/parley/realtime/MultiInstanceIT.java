package dev.parley.realtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.restassured.http.ContentType;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.Frames;
import dev.parley.testsupport.Metrics;
import dev.parley.testsupport.ParleyProcess;
import dev.parley.testsupport.RedisServer;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WebhookReceiver;
import dev.parley.testsupport.WsClient;

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
        Map<String, String> env = ParleyProcess.environment(DATABASE, redis);
        // both instances deliver webhooks, to a receiver on this host
        env.put("PARLEY_WEBHOOKS_ALLOW_LOCAL", "true");
        env.put("PARLEY_WEBHOOKS_POLL_INTERVAL", "PT0.2S");
        a = ParleyProcess.start("instance-a", env);
        b = ParleyProcess.start("instance-b", env);
    }

    @AfterAll
    static void stop() {
        ParleyProcess.stopAll(a, b, redis);
    }

    @Test
    void aMessageSentOnOneInstanceReachesSubscribersOnTheOther() {
        TestUser alice = a.register("alice");
        TestUser bob = b.register("bob");
        String room = a.createRoom(alice.token());
        try (WsClient onA = WsClient.connectWithHeader(a.ws(), alice.token());
                WsClient onB = WsClient.connectWithHeader(b.ws(), bob.token())) {
            onA.subscribe(room, null);
            onB.subscribe(room, null);
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

    /** What crosses Redis is timed as a remote delivery, and each instance reports its Redis link. */
    @Test
    void aMessageFromTheOtherInstanceIsTimedAsARemoteDelivery() {
        TestUser alice = a.register("alice");
        TestUser bob = b.register("bob");
        String room = a.createRoom(alice.token());
        double before = remoteDeliveries(b);
        try (WsClient onA = WsClient.connectWithHeader(a.ws(), alice.token());
                WsClient onB = WsClient.connectWithHeader(b.ws(), bob.token())) {
            onA.subscribe(room, null);
            onB.subscribe(room, null);
            onA.request(Frames.frame("send", "r1", "room", room, "text", "timed"), "r1");
            onB.awaitEvents("message", room, 1);
        }
        // timed as the frame leaves for the sockets, which may reach the client first
        await().atMost(Duration.ofSeconds(10)).until(() -> remoteDeliveries(b) >= before + 1);
        for (ParleyProcess instance : List.of(a, b)) {
            String body = Metrics.scrape(instance.managementUrl());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Metrics.sum(Metrics.scrape(instance.managementUrl()), "parley_redis_subscriber_up") == 1);
            assertThat(Metrics.sum(body, "parley_publish_queue")).isNotNaN();
            assertThat(Metrics.sum(body, "parley_delivery_latency_seconds_bucket", "path", "remote")).isNotNaN();
        }
    }

    private static double remoteDeliveries(ParleyProcess instance) {
        double count = Metrics.sum(Metrics.scrape(instance.managementUrl()), "parley_delivery_latency_seconds_count", "path",
                "remote");
        return Double.isNaN(count) ? 0 : count;
    }

    @Test
    void aClientResumesOnTheOtherInstanceWithExactlyWhatItMissed() {
        TestUser alice = a.register("alice");
        TestUser bob = a.register("bob");
        String room = a.createRoom(alice.token());
        long lastSeen;
        try (WsClient bobOnA = WsClient.connectWithHeader(a.ws(), bob.token())) {
            bobOnA.subscribe(room, null);
            a.post(alice.token(), room, "before the drop");
            lastSeen = bobOnA.awaitEvents("message", room, 1).get(0).path("seq").asLong();
        }
        for (int i = 1; i <= 4; i++) {
            (i % 2 == 0 ? a : b).post(alice.token(), room, "missed " + i);
        }
        try (WsClient bobOnB = WsClient.connectWithHeader(b.ws(), bob.token())) {
            JsonNode ok = bobOnB.subscribe(room, lastSeen);
            assertThat(ok.path("missed").asInt()).isEqualTo(4);
            assertThat(bobOnB.events("message", room)).extracting(m -> m.path("text").asText())
                    .containsExactly("missed 1", "missed 2", "missed 3", "missed 4");
        }
    }

    @Test
    void sendersOnBothInstancesGetOneGaplessSequence() throws Exception {
        TestUser owner = a.register("owner");
        String room = a.createRoom(owner.token());
        List<TestUser> senders = IntStream.range(0, 6).mapToObj(i -> (i % 2 == 0 ? a : b).register("s" + i)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(24);
        ConcurrentLinkedQueue<Integer> seqs = new ConcurrentLinkedQueue<>();
        for (int t = 0; t < 24; t++) {
            ParleyProcess target = t % 2 == 0 ? a : b;
            TestUser sender = senders.get(t % senders.size());
            pool.submit(() -> {
                for (int i = 0; i < 5; i++) {
                    seqs.add(target.post(sender.token(), room, "x"));
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
        assertThat(seqs).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 120).boxed().toList());
    }

    @Test
    void subscribersMissNothingThroughARedisCrash() {
        TestUser alice = a.register("alice");
        TestUser bob = b.register("bob");
        String room = a.createRoom(alice.token());
        try (WsClient bobOnB = WsClient.connectWithHeader(b.ws(), bob.token())) {
            bobOnB.subscribe(room, null);
            a.post(alice.token(), room, "before");
            bobOnB.awaitEvents("message", room, 1);

            redis.kill();
            // sends keep being committed and acknowledged while Redis is down
            for (int i = 1; i <= 3; i++) {
                a.post(alice.token(), room, "during " + i);
            }
            // so the instances stay in the Service; only the wellness check reports Redis down
            for (ParleyProcess instance : List.of(a, b)) {
                given().baseUri(instance.managementUrl()).get("/q/health/ready").then().statusCode(200);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().baseUri(instance.managementUrl())
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

    @Test
    void aMemberRemovedWhileRedisIsDownStopsReceivingOnTheOtherInstance() {
        TestUser owner = a.register("owner");
        TestUser bob = b.register("bob");
        String room = given().baseUri(a.baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                .body(Map.of("name", "secret-" + System.nanoTime(), "visibility", "private"))
                .post("/api/rooms").then().statusCode(201).extract().path("id");
        given().baseUri(a.baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                .body(Map.of("username", bob.username())).post("/api/rooms/" + room + "/members").then().statusCode(201);
        try (WsClient ownerOnB = WsClient.connectWithHeader(b.ws(), owner.token());
                WsClient bobOnB = WsClient.connectWithHeader(b.ws(), bob.token())) {
            ownerOnB.subscribe(room, null);
            bobOnB.subscribe(room, null);

            redis.kill();
            given().baseUri(a.baseUrl()).auth().oauth2(owner.token())
                    .delete("/api/rooms/" + room + "/members/" + bob.username()).then().statusCode(204);
            int secret = a.post(owner.token(), room, "said after bob was removed");
            redis.startAgain();

            // B repairs the owner's view, but ends bob's subscription first
            await().atMost(Duration.ofSeconds(30)).until(() -> ownerOnB.events("message", room).stream()
                    .anyMatch(m -> m.path("seq").asInt() == secret));
            JsonNode left = bobOnB.awaitEvents("member.left", room, 1).get(0);
            assertThat(left.path("user").path("id").asText()).isEqualTo(bob.id());
            assertThat(bobOnB.events("message", room)).isEmpty();
        }
    }

    @Test
    void aBotRevokedOnOneInstanceIsClosedOnTheOtherAtOnceAndAlsoWhenTheSignalIsLost() {
        TestUser owner = a.register("owner");
        String room = a.createRoom(owner.token());
        Bot first = newBot(owner);
        Bot second = newBot(owner);
        try (WsClient firstOnB = WsClient.connectWithHeader(b.ws(), first.token());
                WsClient ownerOnB = WsClient.connectWithHeader(b.ws(), owner.token())) {
            firstOnB.subscribe(room, null);
            ownerOnB.subscribe(room, null);
            given().baseUri(a.baseUrl()).auth().oauth2(owner.token()).delete("/api/bots/" + first.id()).then().statusCode(204);
            assertThat(firstOnB.awaitClose()).isEqualTo(1008);
            assertThat(ownerOnB.isOpen()).isTrue();
        }
        // with Redis down the signal cannot cross: B's periodic check of its connected bots ends it
        try (WsClient secondOnB = WsClient.connectWithHeader(b.ws(), second.token())) {
            secondOnB.subscribe(room, null);
            redis.kill();
            given().baseUri(a.baseUrl()).auth().oauth2(owner.token()).delete("/api/bots/" + second.id()).then().statusCode(204);
            assertThat(secondOnB.awaitClose()).isEqualTo(1008);
        } finally {
            redis.startAgain();
        }
        given().baseUri(b.baseUrl()).auth().oauth2(second.token()).get("/api/me").then().statusCode(401);
    }

    private record Bot(String id, String token) {
    }

    @Test
    void aBotsWebhookGetsEachMessageOnceInOrderWhileSendersOnBothInstancesPostAndBothInstancesDeliver()
            throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            TestUser owner = a.register("owner");
            TestUser other = b.register("other");
            String room = a.createRoom(owner.token());
            String bot = given().baseUri(b.baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                    .body(Map.of("name", "hook", "webhookUrl", receiver.url("/"))).post("/api/bots").then().statusCode(201)
                    .extract().path("username");
            given().baseUri(a.baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                    .body(Map.of("username", bot)).post("/api/rooms/" + room + "/members").then().statusCode(201);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            ConcurrentLinkedQueue<Integer> seqs = new ConcurrentLinkedQueue<>();
            for (int t = 0; t < 4; t++) {
                ParleyProcess target = t % 2 == 0 ? a : b;
                TestUser sender = t < 2 ? owner : other;
                pool.submit(() -> {
                    for (int i = 0; i < 30; i++) {
                        seqs.add(target.post(sender.token(), room, "m" + i));
                    }
                });
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(60)).until(() -> receiver.received().size() >= 120);
            Thread.sleep(1_000); // time for a second delivery, were there one
            List<Long> delivered = receiver.received().stream().map(r -> r.json().path("message").path("seq").asLong()).toList();
            assertThat(delivered).hasSize(120).isSorted()
                    .containsExactlyElementsOf(seqs.stream().map(Integer::longValue).sorted().toList());
        }
    }

    /**
     * Events to a user cross instances both ways: an invitation made through one instance reaches the
     * invited user's connection on the other; then a message sent on the first reaches it as
     * {@code room.activity}, the user's own read on one instance clears it on the other, and the
     * room's deletion removes it.
     */
    @Test
    void roomListEventsReachTheUsersConnectionsOnTheOtherInstance() {
        for (ParleyProcess[] pair : List.of(new ParleyProcess[] { a, b }, new ParleyProcess[] { b, a })) {
            ParleyProcess senderSide = pair[0];
            ParleyProcess userSide = pair[1];
            TestUser owner = senderSide.register("owner");
            TestUser guest = userSide.register("guest");
            String room = given().baseUri(senderSide.baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                    .body(Map.of("name", "plans-" + System.nanoTime(), "visibility", "private"))
                    .post("/api/rooms").then().statusCode(201).extract().path("id");
            try (WsClient guestHere = WsClient.connectWithHeader(userSide.ws(), guest.token());
                    WsClient guestThere = WsClient.connectWithHeader(senderSide.ws(), guest.token())) {
                given().baseUri(senderSide.baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                        .body(Map.of("username", guest.username())).post("/api/rooms/" + room + "/members").then()
                        .statusCode(201);
                JsonNode added = guestHere.awaitFrame(f -> f.path("type").asText().equals("room.added")
                        && f.path("room").path("id").asText().equals(room));
                assertThat(added.path("reason").asText()).isEqualTo("invited");
                assertThat(added.path("room").path("role").asText()).isEqualTo("member");
                // both instances follow the room for the guest now (one subscriber connection each)
                await().atMost(Duration.ofSeconds(10)).until(() -> redis.subscribers("parley:room:{" + room + "}") == 2);

                senderSide.post(owner.token(), room, "hello @" + guest.username());
                JsonNode activity = guestHere.awaitFrame(f -> f.path("type").asText().equals("room.activity")
                        && f.path("room").asText().equals(room));
                assertThat(activity.path("seq").asLong()).isEqualTo(1);
                assertThat(activity.path("mention").asBoolean()).isTrue();
                assertThat(activity.path("user").path("id").asText()).isEqualTo(owner.id());

                guestThere.request(Frames.frame("read", "r1", "room", room, "seq", 1), "r1");
                JsonNode read = guestHere.awaitFrame(f -> f.path("type").asText().equals("read")
                        && f.path("room").asText().equals(room));
                assertThat(read.path("seq").asLong()).isEqualTo(1);

                given().baseUri(senderSide.baseUrl()).auth().oauth2(owner.token()).delete("/api/rooms/" + room).then()
                        .statusCode(204);
                JsonNode removed = guestHere.awaitFrame(f -> f.path("type").asText().equals("room.removed")
                        && f.path("room").asText().equals(room));
                assertThat(removed.path("reason").asText()).isEqualTo("deleted");
                await().atMost(Duration.ofSeconds(10)).until(() -> redis.subscribers("parley:room:{" + room + "}") == 0);
            }
        }
    }

    private static Bot newBot(TestUser owner) {
        var bot = given().baseUri(a.baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                .body(Map.of("name", "bot")).post("/api/bots").then().statusCode(201).extract().jsonPath();
        return new Bot(bot.getString("id"), bot.getString("token"));
    }

    @Test
    void editsDeletionsAndReactionsCrossInstancesAndAreReplayedToWhoeverWasAway() {
        TestUser alice = a.register("alice");
        TestUser bob = b.register("bob");
        String room = a.createRoom(alice.token());
        long away;
        try (WsClient onA = WsClient.connectWithHeader(a.ws(), alice.token());
                WsClient onB = WsClient.connectWithHeader(b.ws(), bob.token())) {
            onA.subscribe(room, null);
            away = onB.subscribe(room, null).path("lastSeq").asLong();
            long m = onA.request(Frames.frame("send", "s", "room", room, "text", "draft"), "s").path("seq").asLong();
            onA.request(Frames.frame("edit", "e", "room", room, "target", m, "text", "final"), "e");
            onB.request(Frames.frame("react", "r", "room", room, "target", m, "emoji", "👍", "on", true), "r");
            long doomed = onA.request(Frames.frame("send", "s2", "room", room, "text", "gone soon"), "s2").path("seq").asLong();
            onA.request(Frames.frame("delete", "d", "room", room, "target", doomed), "d");
            // both instances' subscribers get all five entries, in order, once
            for (WsClient c : List.of(onA, onB)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> entries(c, room).size() >= 5);
                assertThat(entries(c, room)).extracting(f -> f.path("type").asText())
                        .containsExactly("message", "message.edited", "reaction", "message", "message.deleted");
                assertThat(entries(c, room)).extracting(f -> f.path("seq").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L);
            }
        }
        // bob, away since before all this, resumes on the other instance and finds the current state
        try (WsClient back = WsClient.connectWithHeader(a.ws(), bob.token())) {
            assertThat(back.subscribe(room, away).path("missed").asInt()).isEqualTo(5);
            List<JsonNode> replay = entries(back, room);
            assertThat(replay.get(0).path("text").asText()).isEqualTo("final");
            assertThat(replay.get(0).path("reactions").get(0).path("emoji").asText()).isEqualTo("👍");
            assertThat(replay.get(3).path("deleted").asBoolean()).isTrue();
            assertThat(replay.get(3).has("text")).isFalse();
        }
    }

    @Test
    void unreadCountsAndReadMarkersAgreeOnEveryInstance() {
        TestUser alice = a.register("alice");
        TestUser bob = b.register("bob");
        String room = a.createRoom(alice.token());
        try (WsClient aliceOnA = WsClient.connectWithHeader(a.ws(), alice.token());
                WsClient bobOnB = WsClient.connectWithHeader(b.ws(), bob.token())) {
            aliceOnA.subscribe(room, null);
            bobOnB.subscribe(room, null);
            a.post(alice.token(), room, "one");
            int mention = b.post(alice.token(), room, "two, @" + bob.username());
            a.post(alice.token(), room, "three");
            b.post(bob.token(), room, "bob's own is never unread to bob");
            for (ParleyProcess instance : List.of(a, b)) {
                JsonNode mine = roomOf(instance, bob, room);
                assertThat(mine.path("unread").asLong()).as(instance.baseUrl()).isEqualTo(3);
                assertThat(mine.path("mentions").asLong()).as(instance.baseUrl()).isEqualTo(1);
            }
            // bob reads up to the mention on B; A counts from his marker, and alice's client hears of it
            bobOnB.request(Frames.frame("read", "r", "room", room, "seq", mention), "r");
            JsonNode read = aliceOnA.awaitFrame(f -> "read".equals(f.path("type").asText()) && room.equals(f.path("room").asText()));
            assertThat(read.path("user").path("id").asText()).isEqualTo(bob.id());
            assertThat(read.path("seq").asLong()).isEqualTo(mention);
            JsonNode onA = roomOf(a, bob, room);
            assertThat(onA.path("readSeq").asLong()).isEqualTo(mention);
            assertThat(onA.path("unread").asLong()).isEqualTo(1);
            assertThat(onA.path("mentions").asLong()).isZero();
            // and a subscribe's ok on the other instance says the same
            try (WsClient bobOnA = WsClient.connectWithHeader(a.ws(), bob.token())) {
                JsonNode ok = bobOnA.subscribe(room, null);
                assertThat(ok.path("unread").asLong()).isEqualTo(1);
                assertThat(ok.path("readSeq").asLong()).isEqualTo(mention);
            }
        }
    }

    private static JsonNode roomOf(ParleyProcess instance, TestUser user, String room) {
        JsonNode rooms = Frames.parse(given().baseUri(instance.baseUrl()).auth().oauth2(user.token()).get("/api/rooms")
                .then().statusCode(200).extract().asString());
        for (JsonNode r : rooms) {
            if (room.equals(r.path("id").asText())) {
                return r;
            }
        }
        throw new AssertionError(user.username() + " does not list room " + room);
    }

    private static List<JsonNode> entries(WsClient client, String room) {
        return client.frames().stream().filter(f -> room.equals(f.path("room").asText()) && f.has("seq")
                && List.of("message", "message.edited", "message.deleted", "reaction").contains(f.path("type").asText()))
                .toList();
    }

    // After the link is back, live events flow again (A's publisher pool may need a moment to reconnect).
    private static void awaitLive(WsClient client, String room, TestUser sender) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            int seq = a.post(sender.token(), room, "after");
            await().atMost(Duration.ofSeconds(3))
                    .until(() -> client.events("message", room).stream().anyMatch(m -> m.path("seq").asInt() == seq));
        });
    }
}

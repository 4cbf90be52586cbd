package dev.parley.realtime;

import static dev.parley.testsupport.Frames.frame;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

/** The room part of the WebSocket protocol, against the real PostgreSQL and Redis. */
@QuarkusTest
class RoomProtocolTest {


    @TestHTTPResource("/ws")
    URI ws;

    @Inject
    RoomHub hub;

    @Test
    void aSentMessageReachesEverySubscriberIncludingTheSender() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(alice.token(), "public");
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            assertThat(a.subscribe(room, null).path("type").asText()).isEqualTo("ok");
            JsonNode ok = b.subscribe(room, null);
            assertThat(ok.path("room").asText()).isEqualTo(room);
            assertThat(ok.path("lastSeq").asLong()).isZero();
            assertThat(ok.path("missed").asInt()).isZero();
            assertThat(ok.path("truncated").asBoolean()).isFalse();
            assertThat(ok.path("presence").findValuesAsText("id")).contains(alice.id(), bob.id());

            JsonNode sent = a.request(frame("send", "s1", "room", room, "text", "hello", "clientMsgId", "c1"), "s1");
            assertThat(sent.path("type").asText()).isEqualTo("ok");
            assertThat(sent.path("seq").asLong()).isEqualTo(1);
            assertThat(sent.path("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

            for (WsClient client : List.of(a, b)) {
                JsonNode event = client.awaitEvents("message", room, 1).get(0);
                assertThat(event.has("id")).isFalse();
                assertThat(event.path("seq").asLong()).isEqualTo(1);
                assertThat(event.path("text").asText()).isEqualTo("hello");
                assertThat(event.path("clientMsgId").asText()).isEqualTo("c1");
                assertThat(event.path("user").path("id").asText()).isEqualTo(alice.id());
                assertThat(event.path("user").path("username").asText()).isEqualTo(alice.username());
                assertThat(event.path("user").path("name").asText()).isEqualTo("User " + alice.username());
                assertThat(event.path("ts").asText()).isEqualTo(sent.path("ts").asText());
            }
        }
    }

    @Test
    void presenceListsLiveSubscribersOnceEachAndForgetsThoseWhoLeft() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        TestUsers.TestUser carol = TestUsers.create("carol");
        String room = TestRooms.create(alice.token(), "public");
        String secret = TestRooms.create(alice.token(), "private");
        try (WsClient a1 = WsClient.connectWithHeader(ws, alice.token());
                WsClient a2 = WsClient.connectWithHeader(ws, alice.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token());
                WsClient c = WsClient.connectWithHeader(ws, carol.token())) {
            a1.subscribe(room, null);
            a2.subscribe(room, null);
            // a refused subscribe never counts as present
            assertError(c.request(frame("subscribe", "x", "room", secret), "x"), "forbidden");
            JsonNode ok = b.subscribe(room, null);
            assertThat(ok.path("presence").findValuesAsText("id")).containsExactlyInAnyOrder(alice.id(), bob.id());

            // alice stays present while one of her two sockets still listens
            a1.request(frame("unsubscribe", "u1", "room", room), "u1");
            assertThat(b.subscribe(room, null).path("presence").findValuesAsText("id"))
                    .containsExactlyInAnyOrder(alice.id(), bob.id());
            a2.request(frame("unsubscribe", "u2", "room", room), "u2");
            assertThat(c.subscribe(room, null).path("presence").findValuesAsText("id"))
                    .containsExactlyInAnyOrder(bob.id(), carol.id());
        }
    }

    @Test
    void subscribingToAPublicRoomJoinsItAndAnnouncesTheNewMember() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(alice.token(), "public");
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            a.subscribe(room, null);
            b.subscribe(room, null);
            JsonNode joined = a.awaitEvents("member.joined", room, 1).get(0);
            assertThat(joined.path("user").path("id").asText()).isEqualTo(bob.id());
            given().auth().oauth2(bob.token()).get("/api/rooms/" + room).then().statusCode(200);
        }
    }

    @Test
    void subscribeToAPrivateRoomAsNonMemberIsForbiddenAndToAnUnknownRoomNotFound() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser mallory = TestUsers.create("mallory");
        String secret = TestRooms.create(alice.token(), "private");
        try (WsClient m = WsClient.connectWithHeader(ws, mallory.token())) {
            assertError(m.request(frame("subscribe", "x1", "room", secret), "x1"), "forbidden");
            assertError(m.request(frame("subscribe", "x2", "room", "no-such-room"), "x2"), "not_found");
            assertError(m.request(frame("history", "x3", "room", secret), "x3"), "forbidden");
            assertError(m.request(frame("send", "x4", "room", secret, "text", "hi"), "x4"), "forbidden");
            assertError(m.request(frame("typing", "x5", "room", secret), "x5"), "forbidden");
            assertThat(hub.localSubscribers(secret)).isZero();
        }
        given().auth().oauth2(alice.token()).get("/api/rooms/" + secret).then().statusCode(200);
    }

    @Test
    void reconnectingWithSinceGetsExactlyTheMissedMessagesInOrderBeforeTheOk() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(alice.token(), "public");
        for (int i = 1; i <= 5; i++) {
            postMessage(alice.token(), room, "m" + i);
        }
        try (WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            JsonNode ok = b.request(frame("subscribe", "r1", "room", room, "since", 2), "r1");
            assertThat(ok.path("lastSeq").asLong()).isEqualTo(5);
            assertThat(ok.path("missed").asInt()).isEqualTo(3);
            assertThat(ok.path("truncated").asBoolean()).isFalse();
            List<JsonNode> frames = b.frames();
            int okIndex = frames.indexOf(ok);
            List<Long> replayed = frames.subList(0, okIndex).stream()
                    .filter(f -> "message".equals(f.path("type").asText()))
                    .map(f -> f.path("seq").asLong()).toList();
            assertThat(replayed).containsExactly(3L, 4L, 5L);
            assertThat(frames.get(okIndex - 1).path("text").asText()).isEqualTo("m5");

            // live from here on
            postMessage(alice.token(), room, "m6");
            assertThat(b.awaitEvents("message", room, 4).get(3).path("seq").asLong()).isEqualTo(6);
        }
    }

    @Test
    void aResumeReplaysTheNewest500AndSaysTruncated() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token())) {
            for (int i = 1; i <= 503; i++) {
                a.send(frame("send", "b" + i, "room", room, "text", "bulk " + i));
            }
            a.awaitFrame(f -> "b503".equals(f.path("id").asText()));
        }
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token())) {
            JsonNode ok = a.request(frame("subscribe", "t1", "room", room, "since", 1), "t1");
            assertThat(ok.path("lastSeq").asLong()).isEqualTo(503);
            assertThat(ok.path("missed").asInt()).isEqualTo(500);
            assertThat(ok.path("truncated").asBoolean()).isTrue();
            List<JsonNode> replayed = a.events("message", room);
            assertThat(replayed).hasSize(500);
            assertThat(replayed.get(0).path("seq").asLong()).isEqualTo(4);
            assertThat(replayed.get(499).path("seq").asLong()).isEqualTo(503);
        }
    }

    @Test
    void oneConnectionsSendsToOneRoomGetIncreasingSeqInTheOrderSent() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token())) {
            for (int i = 0; i < 30; i++) {
                a.send(frame("send", "o" + i, "room", room, "text", "n" + i));
            }
            long previous = 0;
            for (int i = 0; i < 30; i++) {
                String id = "o" + i;
                long seq = a.awaitFrame(f -> id.equals(f.path("id").asText())).path("seq").asLong();
                assertThat(seq).isGreaterThan(previous);
                previous = seq;
            }
        }
    }

    @Test
    void aRetryWithTheSameClientMsgIdAnswersTheStoredSeqAndSubscribersGetTheMessageOnce() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(alice.token(), "public");
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            b.subscribe(room, null);
            long first = a.request(frame("send", "k1", "room", room, "text", "once", "clientMsgId", "k"), "k1")
                    .path("seq").asLong();
            long retry = a.request(frame("send", "k2", "room", room, "text", "once", "clientMsgId", "k"), "k2")
                    .path("seq").asLong();
            assertThat(retry).isEqualTo(first);
            // the retry publishes the message again (its first attempt may have died before publishing);
            // the live stream drops the copy: the next message follows the first directly
            long next = a.request(frame("send", "k3", "room", room, "text", "next"), "k3").path("seq").asLong();
            List<JsonNode> events = b.awaitEvents("message", room, 2);
            assertThat(events).extracting(e -> e.path("seq").asLong()).containsExactly(first, next);
        }
        given().auth().oauth2(alice.token()).get("/api/rooms/" + room).then().body("lastSeq", equalTo(2));
    }

    @Test
    void unsubscribeStopsTheLiveEvents() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String quiet = TestRooms.create(alice.token(), "public");
        String loud = TestRooms.create(alice.token(), "public");
        try (WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            b.subscribe(quiet, null);
            b.subscribe(loud, null);
            assertThat(b.request(frame("unsubscribe", "u1", "room", quiet), "u1").path("room").asText()).isEqualTo(quiet);
            postMessage(alice.token(), quiet, "you do not hear this");
            postMessage(alice.token(), loud, "but this");
            b.awaitEvents("message", loud, 1);
            assertThat(b.events("message", quiet)).isEmpty();
        }
    }

    @Test
    void typingReachesTheOthersIsNotStoredAndNeedsASubscription() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(alice.token(), "public");
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            assertError(a.request(frame("typing", "t0", "room", room), "t0"), "forbidden");
            a.subscribe(room, null);
            b.subscribe(room, null);
            a.send(frame("typing", "t1", "room", room));
            JsonNode typing = b.awaitEvents("typing", room, 1).get(0);
            assertThat(typing.path("user").path("id").asText()).isEqualTo(alice.id());
            // no answer to a successful typing, and no echo to the typist
            assertThat(a.request(frame("ping", "after-typing"), "after-typing").path("type").asText()).isEqualTo("pong");
            assertThat(a.frames()).noneMatch(f -> "t1".equals(f.path("id").asText()));
            assertThat(a.events("typing", room)).isEmpty();
        }
        given().auth().oauth2(alice.token()).get("/api/rooms/" + room).then().body("lastSeq", equalTo(0));
    }

    @Test
    void historyOverTheSocketPagesLikeTheRestApi() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        for (int i = 1; i <= 5; i++) {
            postMessage(alice.token(), room, "h" + i);
        }
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token())) {
            JsonNode page = a.request(frame("history", "h1", "room", room, "limit", 2), "h1");
            assertThat(page.path("messages").findValuesAsText("text")).containsExactly("h4", "h5");
            assertThat(page.path("hasMore").asBoolean()).isTrue();
            JsonNode older = a.request(frame("history", "h2", "room", room, "before", 4, "limit", 2), "h2");
            assertThat(older.path("messages").findValuesAsText("text")).containsExactly("h2", "h3");
            JsonNode newer = a.request(frame("history", "h3", "room", room, "after", 3), "h3");
            assertThat(newer.path("messages").findValuesAsText("text")).containsExactly("h4", "h5");
            assertThat(newer.path("hasMore").asBoolean()).isFalse();
            assertThat(a.request(frame("history", "h4", "room", room, "limit", 1000), "h4").path("messages").size())
                    .isEqualTo(5);
            assertError(a.request(frame("history", "h5", "room", room, "limit", 0), "h5"), "bad_request");
            assertError(a.request(frame("history", "h6", "room", room, "limit", 2.5), "h6"), "bad_request");
            assertError(a.request(frame("history", "h7", "room", room, "limit", "3"), "h7"), "bad_request");
            assertError(a.request(frame("history", "h8", "room", room, "before", 3, "after", 1), "h8"), "bad_request");
        }
    }

    @Test
    void badSendsGetAnErrorWithTheirIdAndStoreNothing() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token())) {
            assertError(a.request(frame("send", "e1", "room", room, "text", ""), "e1"), "bad_request");
            assertError(a.request(frame("send", "e2", "room", room), "e2"), "bad_request");
            assertError(a.request(frame("send", "e3", "text", "no room"), "e3"), "bad_request");
            assertError(a.request(frame("send", "e4", "room", room, "text", "x".repeat(4001)), "e4"), "too_large");
            assertError(a.request(frame("send", "e5", "room", room, "text", 42), "e5"), "bad_request");
            assertError(a.request(frame("send", "e6", "room", "no-such-room", "text", "hi"), "e6"), "not_found");
            assertError(a.request(frame("subscribe", "e7", "room", room, "since", -1), "e7"), "bad_request");
            assertThat(a.request(frame("ping", "alive"), "alive").path("type").asText()).isEqualTo("pong");
        }
        given().auth().oauth2(alice.token()).get("/api/rooms/" + room).then().body("lastSeq", equalTo(0));
    }

    @Test
    void deletingARoomEndsEverySubscriptionWithRoomDeleted() {
        TestUsers.TestUser owner = TestUsers.create("owner");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(owner.token(), "public");
        try (WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            b.subscribe(room, null);
            assertThat(hub.localSubscribers(room)).isEqualTo(1);
            given().auth().oauth2(owner.token()).delete("/api/rooms/" + room).then().statusCode(204);
            JsonNode deleted = b.awaitEvents("room.deleted", room, 1).get(0);
            assertThat(deleted.path("room").asText()).isEqualTo(room);
            await().atMost(Duration.ofSeconds(5)).until(() -> hub.localSubscribers(room) == 0);
        }
    }

    @Test
    void aMemberRemovedFromAPrivateRoomStopsReceivingIt() {
        TestUsers.TestUser owner = TestUsers.create("owner");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(owner.token(), "private");
        TestRooms.invite(owner.token(), room, bob.username());
        try (WsClient o = WsClient.connectWithHeader(ws, owner.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            o.subscribe(room, null);
            b.subscribe(room, null);
            given().auth().oauth2(owner.token()).delete("/api/rooms/" + room + "/members/" + bob.username())
                    .then().statusCode(204);
            b.awaitEvents("member.left", room, 1);
            postMessage(owner.token(), room, "secret after removal");
            o.awaitEvents("message", room, 1);
            assertThat(b.events("message", room)).isEmpty();
            assertError(b.request(frame("subscribe", "again", "room", room), "again"), "forbidden");
        }
    }

    @Test
    void typingRightBehindARefusedSubscribeReachesNoOne() {
        TestUsers.TestUser owner = TestUsers.create("owner");
        TestUsers.TestUser bob = TestUsers.create("bob");
        TestUsers.TestUser mallory = TestUsers.create("mallory");
        String secret = TestRooms.create(owner.token(), "private");
        TestRooms.invite(owner.token(), secret, bob.username());
        try (WsClient o = WsClient.connectWithHeader(ws, owner.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token());
                WsClient m = WsClient.connectWithHeader(ws, mallory.token())) {
            o.subscribe(secret, null);
            b.subscribe(secret, null);
            // back to back: the typing arrives while the subscribe is still being authorized
            for (int i = 0; i < 20; i++) {
                m.send(frame("subscribe", "s" + i, "room", secret));
                m.send(frame("typing", "t" + i, "room", secret));
            }
            for (int i = 0; i < 20; i++) {
                String s = "s" + i;
                String t = "t" + i;
                assertError(m.awaitFrame(f -> s.equals(f.path("id").asText())), "forbidden");
                assertError(m.awaitFrame(f -> t.equals(f.path("id").asText())), "forbidden");
            }
            // a member's typing after all that arrives, and no typing of mallory's came before it
            b.send(frame("typing", "bt", "room", secret));
            JsonNode first = o.awaitEvents("typing", secret, 1).get(0);
            assertThat(first.path("user").path("id").asText()).isEqualTo(bob.id());
        }
    }

    @Test
    void aHistoryPageLargerThanTheOutboundLimitIsSentWhole() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        String text = "\u00e9".repeat(4_000); // 4,000 characters, 8,000 bytes in UTF-8
        for (int i = 0; i < 200; i++) {
            postMessage(alice.token(), room, text);
        }
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token())) {
            // 200 x 8,000 bytes: a page of 1.6 MB, over the 1 MiB outbound limit
            JsonNode page = a.request(frame("history", "h", "room", room, "limit", 200), "h");
            assertThat(page.path("type").asText()).as(page.path("type").asText()).isEqualTo("ok");
            assertThat(page.path("messages")).hasSize(200);
            assertThat(a.request(frame("ping", "p"), "p").path("type").asText()).isEqualTo("pong");
            assertThat(a.isOpen()).isTrue();
        }
    }

    private static void assertError(JsonNode frame, String code) {
        assertThat(frame.path("type").asText()).as(frame.toString()).isEqualTo("error");
        assertThat(frame.path("code").asText()).as(frame.toString()).isEqualTo(code);
        assertThat(frame.path("message").asText()).isNotBlank();
    }

    private static void postMessage(String token, String room, String text) {
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("text", text))
                .post("/api/rooms/" + room + "/messages").then().statusCode(201);
    }

}

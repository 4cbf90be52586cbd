package dev.parley.message;

import static dev.parley.testsupport.Frames.frame;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

/**
 * The room log beyond messages: edits, deletions and reactions are entries with their own seq, sent
 * live and replayed with since in their current state; replies, threads and mentions.
 */
@QuarkusTest
class ConversationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void editsDeletionsAndReactionsAreLogEntriesWithTheirOwnSeqLiveAndReplayed() throws Exception {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(alice.token(), "public");
        long away;
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            a.subscribe(room, null);
            away = b.subscribe(room, null).path("lastSeq").asLong();
            long first = ok(a, frame("send", "s1", "room", room, "text", "first draft")).path("seq").asLong();
            long second = ok(a, frame("send", "s2", "room", room, "text", "to be deleted")).path("seq").asLong();

            JsonNode edited = ok(a, frame("edit", "e1", "room", room, "target", first, "text", "final text"));
            assertThat(edited.path("seq").asLong()).isEqualTo(3);
            assertThat(edited.path("target").asLong()).isEqualTo(first);
            JsonNode reacted = ok(b, frame("react", "r1", "room", room, "target", first, "emoji", "👍", "on", true));
            assertThat(reacted.path("seq").asLong()).isEqualTo(4);
            // the same reaction again changes nothing: no entry, no seq
            JsonNode again = ok(b, frame("react", "r2", "room", room, "target", first, "emoji", "👍", "on", true));
            assertThat(again.has("seq")).isFalse();
            JsonNode deleted = ok(a, frame("delete", "d1", "room", room, "target", second));
            assertThat(deleted.path("seq").asLong()).isEqualTo(5);

            List<JsonNode> live = awaitTypes(b, room, 5);
            assertThat(live).extracting(f -> f.path("type").asText())
                    .containsExactly("message", "message", "message.edited", "reaction", "message.deleted");
            assertThat(live).extracting(f -> f.path("seq").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(live.get(2).path("text").asText()).isEqualTo("final text");
            assertThat(live.get(2).path("editedAt").asText()).isNotBlank();
            assertThat(live.get(3).path("emoji").asText()).isEqualTo("👍");
            assertThat(live.get(3).path("on").asBoolean()).isTrue();
            assertThat(live.get(3).path("user").path("id").asText()).isEqualTo(bob.id());
            assertThat(live.get(4).path("target").asLong()).isEqualTo(second);
            assertThat(live.get(4).path("user").path("id").asText()).isEqualTo(alice.id());
        }

        // a client that was away gets every entry, each showing the current state
        try (WsClient late = WsClient.connectWithHeader(ws, bob.token())) {
            JsonNode ok = late.subscribe(room, away);
            assertThat(ok.path("missed").asInt()).isEqualTo(5);
            List<JsonNode> replay = late.frames().subList(0, 5);
            assertThat(replay).extracting(f -> f.path("seq").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(replay.get(0).path("text").asText()).isEqualTo("final text");
            assertThat(replay.get(0).path("reactions").get(0).path("emoji").asText()).isEqualTo("👍");
            assertThat(replay.get(0).path("reactions").get(0).path("count").asInt()).isEqualTo(1);
            assertThat(replay.get(0).path("reactions").get(0).path("users").get(0).asText()).isEqualTo(bob.id());
            // the deleted message: a tombstone, its text never sent again
            assertThat(replay.get(1).path("deleted").asBoolean()).isTrue();
            assertThat(replay.get(1).has("text")).isFalse();
            assertThat(replay.get(2).path("type").asText()).isEqualTo("message.edited");
        }

        // history: messages only, current state
        List<Map<String, Object>> history = given().auth().oauth2(bob.token()).get("/api/rooms/" + room + "/messages")
                .then().statusCode(200).extract().path("messages");
        assertThat(history).extracting(m -> m.get("seq")).containsExactly(1, 2);
        assertThat(history.get(0).get("text")).isEqualTo("final text");
        assertThat(history.get(1).get("deleted")).isEqualTo(true);
        assertThat(history.get(1)).doesNotContainKey("text");

        // the text is erased in the database, not hidden
        try (Connection db = DatabaseTestResource.connect(DatabaseTestResource.DATABASE);
                PreparedStatement q = db.prepareStatement("select text, deleted from messages where room_id = ? and seq = 2")) {
            q.setString(1, room);
            try (ResultSet rows = q.executeQuery()) {
                rows.next();
                assertThat(rows.getString(1)).isEmpty();
                assertThat(rows.getBoolean(2)).isTrue();
            }
        }
    }

    @Test
    void onlyTheAuthorEditsAndTheAuthorOrAnOwnerOrAdminDeletes() {
        TestUsers.TestUser owner = TestUsers.create("owner");
        TestUsers.TestUser bob = TestUsers.create("bob");
        TestUsers.TestUser carol = TestUsers.create("carol");
        String room = TestRooms.create(owner.token(), "private");
        TestRooms.invite(owner.token(), room, bob.username());
        TestRooms.invite(owner.token(), room, carol.username());
        try (WsClient o = WsClient.connectWithHeader(ws, owner.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token());
                WsClient c = WsClient.connectWithHeader(ws, carol.token())) {
            long bobs = ok(b, frame("send", "s", "room", room, "text", "bob's")).path("seq").asLong();
            error(c, frame("edit", "e", "room", room, "target", bobs, "text", "carol's now"), "forbidden");
            error(o, frame("edit", "e2", "room", room, "target", bobs, "text", "the owner's now"), "forbidden");
            error(c, frame("delete", "d", "room", room, "target", bobs), "forbidden");
            error(b, frame("edit", "e3", "room", room, "target", 999, "text", "x"), "not_found");
            ok(o, frame("delete", "d2", "room", room, "target", bobs));
            // a deleted message can be neither edited, deleted again nor reacted to
            error(b, frame("edit", "e4", "room", room, "target", bobs, "text", "revived"), "conflict");
            error(b, frame("delete", "d3", "room", room, "target", bobs), "conflict");
            error(c, frame("react", "r", "room", room, "target", bobs, "emoji", "🎉", "on", true), "conflict");
        }
        // outsiders cannot touch a private room's messages
        TestUsers.TestUser mallory = TestUsers.create("mallory");
        try (WsClient m = WsClient.connectWithHeader(ws, mallory.token())) {
            error(m, frame("react", "r", "room", room, "target", 1, "emoji", "👎", "on", true), "forbidden");
            error(m, frame("delete", "d", "room", room, "target", 1), "forbidden");
        }
    }

    @Test
    void reactionsAreOnePerUserEmojiAndMessageAndEmojiAreValidated() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token())) {
            long m = ok(a, frame("send", "s", "room", room, "text", "react to me")).path("seq").asLong();
            assertThat(ok(a, frame("react", "1", "room", room, "target", m, "emoji", "👍", "on", true)).has("seq")).isTrue();
            assertThat(ok(a, frame("react", "2", "room", room, "target", m, "emoji", "❤️", "on", true)).has("seq")).isTrue();
            assertThat(ok(a, frame("react", "3", "room", room, "target", m, "emoji", "👍", "on", false)).has("seq")).isTrue();
            assertThat(ok(a, frame("react", "4", "room", room, "target", m, "emoji", "👍", "on", false)).has("seq")).isFalse();
            for (String bad : new String[] { "", "a b", "<b>", "123456789", "&amp;" }) {
                error(a, frame("react", "x" + bad.hashCode(), "room", room, "target", m, "emoji", bad, "on", true),
                        "bad_request");
            }
            error(a, frame("react", "y", "room", room, "target", m, "emoji", "👍"), "bad_request");
        }
        List<Map<String, Object>> reactions = given().auth().oauth2(alice.token()).get("/api/rooms/" + room + "/messages")
                .then().statusCode(200).extract().path("messages[0].reactions");
        assertThat(reactions).hasSize(1);
        assertThat(reactions.get(0).get("emoji")).isEqualTo("❤️");
        assertThat(given().auth().oauth2(alice.token()).get("/api/rooms/" + room).then().extract()
                .<Integer>path("lastSeq")).isEqualTo(4);
    }

    @Test
    void repliesFormThreadsAndMentionsNameMembersRecomputedOnEdit() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        TestUsers.TestUser stranger = TestUsers.create("stranger");
        String room = TestRooms.create(alice.token(), "private");
        TestRooms.invite(alice.token(), room, bob.username());
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token())) {
            long root = ok(a, frame("send", "r", "room", room, "text", "a question")).path("seq").asLong();
            ok(a, frame("send", "x", "room", room, "text", "unrelated"));
            ok(a, frame("send", "t1", "room", room, "text", "first answer @" + bob.username() + ".", "replyTo", root));
            ok(a, frame("send", "t2", "room", room, "text", "second, cc @" + stranger.username(), "replyTo", root));
            error(a, frame("send", "bad", "room", room, "text", "to nothing", "replyTo", 999), "not_found");

            JsonNode thread = ok(a, frame("history", "h", "room", room, "replyTo", root));
            assertThat(thread.path("messages")).extracting(m -> m.path("text").asText())
                    .containsExactly("first answer @" + bob.username() + ".", "second, cc @" + stranger.username());
            assertThat(thread.path("messages").get(0).path("replyTo").asLong()).isEqualTo(root);
            // bob is a member and is mentioned; the stranger is not a member, so not mentioned
            assertThat(thread.path("messages").get(0).path("mentions").get(0).path("id").asText()).isEqualTo(bob.id());
            assertThat(thread.path("messages").get(1).has("mentions")).isFalse();
            error(a, frame("history", "h2", "room", room, "replyTo", 999), "not_found");

            // an edit finds the mentions again
            long answer = thread.path("messages").get(0).path("seq").asLong();
            JsonNode edited = ok(a, frame("edit", "e", "room", room, "target", answer, "text", "no names any more"));
            assertThat(edited.path("seq").asLong()).isPositive();
            JsonNode after = ok(a, frame("history", "h3", "room", room, "replyTo", root));
            assertThat(after.path("messages").get(0).has("mentions")).isFalse();
        }
        given().auth().oauth2(alice.token()).get("/api/rooms/" + room + "/messages?replyTo=1")
                .then().statusCode(200);
        given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                .body(Map.of("text", "over REST", "replyTo", 1)).post("/api/rooms/" + room + "/messages")
                .then().statusCode(201);
    }

    @Test
    void typingIsForwardedAtMostOncePerUserAndRoomEveryTwoSeconds() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(alice.token(), "public");
        try (WsClient a1 = WsClient.connectWithHeader(ws, alice.token());
                WsClient a2 = WsClient.connectWithHeader(ws, alice.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            a1.subscribe(room, null);
            a2.subscribe(room, null);
            b.subscribe(room, null);
            for (int i = 0; i < 10; i++) {
                a1.send(frame("typing", "t" + i, "room", room));
                a2.send(frame("typing", "u" + i, "room", room));
            }
            // a message sent after the typing arrives after it: by then every typing event that will come has come
            ok(a1, frame("send", "s", "room", room, "text", "done typing"));
            b.awaitEvents("message", room, 1);
            assertThat(b.events("typing", room)).hasSize(1);
        }
    }

    private static JsonNode ok(WsClient client, String json) {
        JsonNode answer = client.request(json, idOf(json));
        assertThat(answer.path("type").asText()).as(answer.toString()).isEqualTo("ok");
        return answer;
    }

    private static void error(WsClient client, String json, String code) {
        JsonNode answer = client.request(json, idOf(json));
        assertThat(answer.path("type").asText()).as(answer.toString()).isEqualTo("error");
        assertThat(answer.path("code").asText()).as(answer.toString()).isEqualTo(code);
    }

    private static String idOf(String json) {
        try {
            return JSON.readTree(json).path("id").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<JsonNode> awaitTypes(WsClient client, String room, int count) {
        await().atMost(Duration.ofSeconds(15))
                .until(() -> logEntries(client, room).size() >= count);
        return logEntries(client, room);
    }

    private static List<JsonNode> logEntries(WsClient client, String room) {
        return client.frames().stream().filter(f -> room.equals(f.path("room").asText()) && f.has("seq")
                && List.of("message", "message.edited", "message.deleted", "reaction").contains(f.path("type").asText()))
                .toList();
    }
}

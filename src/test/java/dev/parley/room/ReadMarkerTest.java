package dev.parley.room;

import static dev.parley.testsupport.Frames.frame;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

/**
 * Read markers never move backwards; unread counts the messages by others after the marker that are
 * not deleted, and mentions those of them naming the reader, in the room list and the subscribe ok.
 */
@QuarkusTest
class ReadMarkerTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void unreadAndMentionsFollowTheMarkerTheReadersOwnMessagesAndDeletions() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(alice.token(), "private");
        TestRooms.invite(alice.token(), room, bob.username());
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            a.subscribe(room, null);
            send(a, room, "one");
            send(a, room, "two, @" + bob.username());
            send(b, room, "bob's own");
            long three = send(a, room, "three");
            long four = send(a, room, "four @" + bob.username());
            // an edit is an entry of the log but no new message: it changes no count
            ok(a, frame("edit", "e", "room", room, "target", three, "text", "three, edited"));

            assertCounts(bob, room, 0, 4, 2);
            JsonNode subscribed = b.subscribe(room, null);
            assertThat(subscribed.path("readSeq").asLong()).isZero();
            assertThat(subscribed.path("unread").asLong()).isEqualTo(4);
            assertThat(subscribed.path("mentions").asLong()).isEqualTo(2);

            JsonNode read = ok(b, frame("read", "r1", "room", room, "seq", 2));
            assertThat(read.path("seq").asLong()).isEqualTo(2);
            JsonNode event = a.awaitEvents("read", room, 1).get(0);
            assertThat(event.path("user").path("id").asText()).isEqualTo(bob.id());
            assertThat(event.path("seq").asLong()).isEqualTo(2);
            assertThat(event.has("id")).isFalse();
            assertCounts(bob, room, 2, 2, 1);

            // never backwards; clamped to the room's newest seq
            assertThat(ok(b, frame("read", "r2", "room", room, "seq", 1)).path("seq").asLong()).isEqualTo(2);
            // a deleted message is no longer unread, nor its mention
            ok(a, frame("delete", "d", "room", room, "target", four));
            assertCounts(bob, room, 2, 1, 0);
            long last = given().auth().oauth2(bob.token()).get("/api/rooms/" + room).then().extract().<Integer>path("lastSeq");
            assertThat(ok(b, frame("read", "r3", "room", room, "seq", 1_000_000)).path("seq").asLong()).isEqualTo(last);
            assertCounts(bob, room, last, 0, 0);
        }
        // alice's own messages were never unread for her
        given().auth().oauth2(alice.token()).get("/api/rooms/" + room).then().body("unread", equalTo(1));
    }

    @Test
    void markersAreForMembersAndWorkOverRest() {
        TestUsers.TestUser owner = TestUsers.create("owner");
        TestUsers.TestUser outsider = TestUsers.create("outsider");
        String secret = TestRooms.create(owner.token(), "private");
        String open = TestRooms.create(owner.token(), "public");
        given().auth().oauth2(owner.token()).contentType(ContentType.JSON).body(Map.of("seq", 0))
                .post("/api/rooms/" + secret + "/read").then().statusCode(200).body("seq", equalTo(0));
        given().auth().oauth2(outsider.token()).contentType(ContentType.JSON).body(Map.of("seq", 0))
                .post("/api/rooms/" + secret + "/read").then().statusCode(403);
        given().auth().oauth2(outsider.token()).contentType(ContentType.JSON).body(Map.of("seq", 0))
                .post("/api/rooms/" + open + "/read").then().statusCode(403);
        given().auth().oauth2(owner.token()).contentType(ContentType.JSON).body(Map.of("seq", -1))
                .post("/api/rooms/" + secret + "/read").then().statusCode(400);
        given().auth().oauth2(owner.token()).contentType(ContentType.JSON).body(Map.of("seq", 1))
                .post("/api/rooms/no-such-room/read").then().statusCode(404);
        // non-members see no counts in the list
        List<Map<String, Object>> rooms = TestRooms.all(outsider.token());
        assertThat(rooms).filteredOn(r -> open.equals(r.get("id")))
                .allMatch(r -> ((Integer) r.get("unread")) == 0 && ((Integer) r.get("mentions")) == 0);
    }

    private static void assertCounts(TestUsers.TestUser user, String room, long readSeq, long unread, long mentions) {
        List<Map<String, Object>> rooms = TestRooms.all(user.token());
        Map<String, Object> r = rooms.stream().filter(x -> room.equals(x.get("id"))).findFirst().orElseThrow();
        assertThat(((Number) r.get("readSeq")).longValue()).as("readSeq").isEqualTo(readSeq);
        assertThat(((Number) r.get("unread")).longValue()).as("unread").isEqualTo(unread);
        assertThat(((Number) r.get("mentions")).longValue()).as("mentions").isEqualTo(mentions);
        given().auth().oauth2(user.token()).get("/api/rooms/" + room).then()
                .body("unread", equalTo((int) unread)).body("mentions", equalTo((int) mentions));
    }

    private static long send(WsClient client, String room, String text) {
        return ok(client, frame("send", "s" + System.nanoTime(), "room", room, "text", text)).path("seq").asLong();
    }

    private static JsonNode ok(WsClient client, String json) {
        String id = json.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        JsonNode answer = client.request(json, id);
        assertThat(answer.path("type").asText()).as(answer.toString()).isEqualTo("ok");
        return answer;
    }
}

package dev.parley.message;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

import dev.parley.testsupport.Frames;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WsClient;

/** GET /api/search: the current text of messages in rooms the caller may read, newest first, paged. */
@QuarkusTest
class SearchTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void findsTheCurrentTextOfReadableRoomsOnlyNewestFirst() {
        TestUser alice = TestUsers.create("alice");
        TestUser bob = TestUsers.create("bob");
        String open = TestRooms.create(alice.token(), "public");
        String closed = TestRooms.create(alice.token(), "private");
        String word = uniqueWord();
        String oldWord = uniqueWord();

        long launch = post(alice, open, "the " + word + " launch is today");
        long again = post(alice, open, word + " again, louder");
        long secret = post(alice, closed, "secret " + word + " plans");
        long edited = post(alice, open, "first draft " + oldWord);
        long doomed = post(alice, open, word + " that will be deleted");
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token())) {
            ok(a, Frames.frame("edit", "e", "room", open, "target", edited, "text", "now about " + word));
            ok(a, Frames.frame("delete", "d", "room", open, "target", doomed));
        }

        assertThat(seqs(search(alice, Map.of("q", word)))).containsExactly(edited, secret, again, launch);
        // a non-member never sees the private room's message, not even asked for by room
        assertThat(seqs(search(bob, Map.of("q", word)))).containsExactly(edited, again, launch);
        search(bob, Map.of("q", word, "room", closed)).statusCode(403).contentType("application/problem+json");
        assertThat(seqs(search(alice, Map.of("q", word, "room", closed)))).containsExactly(secret);
        // the superseded text is not found; the edited one is
        assertThat(seqs(search(alice, Map.of("q", oldWord)))).isEmpty();
        // web-search syntax: phrases and exclusions; case does not matter
        assertThat(seqs(search(alice, Map.of("q", "\"" + word.toUpperCase() + " launch\"")))).containsExactly(launch);
        assertThat(seqs(search(alice, Map.of("q", word + " -again -secret")))).containsExactly(edited, launch);

        JsonNode first = Frames.parse(search(alice, Map.of("q", word)).extract().asString()).path("results").get(0);
        assertThat(first.path("room").asText()).isEqualTo(open);
        assertThat(first.path("message").path("text").asText()).isEqualTo("now about " + word);
        assertThat(first.path("message").path("user").path("username").asText()).isEqualTo(alice.username());

        // banned from the public room: its messages are no longer found
        given().auth().oauth2(alice.token()).contentType(ContentType.JSON).body(Map.of("username", bob.username()))
                .post("/api/rooms/" + open + "/bans").then().statusCode(204);
        assertThat(seqs(search(bob, Map.of("q", word)))).isEmpty();
    }

    @Test
    void pagesWithTheOpaqueNextCursor() {
        TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        String word = uniqueWord();
        long[] seqs = new long[5];
        for (int i = 0; i < 5; i++) {
            seqs[i] = post(alice, room, word + " number " + i);
        }
        JsonNode page1 = Frames.parse(search(alice, Map.of("q", word, "limit", 2)).extract().asString());
        assertThat(page1.path("hasMore").asBoolean()).isTrue();
        JsonNode page2 = Frames.parse(search(alice, Map.of("q", word, "limit", 2, "before", page1.path("next").asText()))
                .extract().asString());
        JsonNode page3 = Frames.parse(search(alice, Map.of("q", word, "limit", 2, "before", page2.path("next").asText()))
                .extract().asString());
        assertThat(page3.path("hasMore").asBoolean()).isFalse();
        assertThat(page3.path("next").isNull()).isTrue();
        assertThat(List.of(seqsOf(page1), seqsOf(page2), seqsOf(page3)))
                .containsExactly(List.of(seqs[4], seqs[3]), List.of(seqs[2], seqs[1]), List.of(seqs[0]));
    }

    @Test
    void badQueriesAre400Or413AndChangeNothing() {
        TestUser alice = TestUsers.create("alice");
        search(alice, Map.of()).statusCode(400).contentType("application/problem+json");
        search(alice, Map.of("q", "   ")).statusCode(400);
        search(alice, Map.of("q", "x".repeat(201))).statusCode(413);
        search(alice, Map.of("q", "hello", "limit", "abc")).statusCode(400);
        search(alice, Map.of("q", "hello", "limit", 0)).statusCode(400);
        search(alice, Map.of("q", "hello", "before", "not a cursor!")).statusCode(400);
        search(alice, Map.of("q", "hello", "before", "YWJj")).statusCode(400); // "abc": no place in it
        search(alice, Map.of("q", "a\u0000b")).statusCode(400);
        search(alice, Map.of("q", "hello", "room", "no-such-room")).statusCode(404);
        // query syntax a user might type by mistake is not an error
        search(alice, Map.of("q", "\"unclosed -- & | ! (")).statusCode(200);
        given().get("/api/search?q=hello").then().statusCode(401);
    }

    private static String uniqueWord() {
        return "w" + Long.toString(System.nanoTime(), 36);
    }

    private static ValidatableResponse search(TestUser user, Map<String, ?> params) {
        return given().auth().oauth2(user.token()).queryParams(params).get("/api/search").then();
    }

    private static List<Long> seqs(ValidatableResponse response) {
        return seqsOf(Frames.parse(response.statusCode(200).extract().asString()));
    }

    private static List<Long> seqsOf(JsonNode page) {
        return page.path("results").findValues("seq").stream().map(JsonNode::asLong).toList();
    }

    private static long post(TestUser user, String room, String text) {
        return given().auth().oauth2(user.token()).contentType(ContentType.JSON).body(Map.of("text", text))
                .post("/api/rooms/" + room + "/messages").then().statusCode(201).extract().jsonPath().getLong("seq");
    }

    private static void ok(WsClient client, String json) {
        String id = Frames.parse(json).path("id").asText();
        assertThat(client.request(json, id).path("type").asText()).isEqualTo("ok");
    }
}

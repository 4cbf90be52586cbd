package dev.parley.config;

import static dev.parley.testsupport.Frames.frame;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
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
 * NUL and the other C0 control characters (but tab, newline and carriage return) are refused in
 * every text a client sends, over REST and the WebSocket, with a clear 400 / bad_request, and a
 * refused send fails alone.
 */
@QuarkusTest
class ControlCharactersTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void aNulInARegistrationOrLoginIsABadRequest() {
        given().contentType(ContentType.JSON)
                .body(Map.of("username", "nul\u0000name", "password", "long-enough-password"))
                .post("/api/auth/register")
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("bad_request")).body("detail", containsString("control characters"));
        given().contentType(ContentType.JSON)
                .body(Map.of("username", "someone", "password", "pass\u0000word"))
                .post("/api/auth/login")
                .then().statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON)
                .body(Map.of("username", "some\u0000one", "password", "password"))
                .post("/api/auth/login")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void aNulInAPathOrQueryParameterIsABadRequest() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        given().auth().oauth2(alice.token()).urlEncodingEnabled(false).get("/api/rooms/ab%00cd")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("id"));
        given().auth().oauth2(alice.token()).urlEncodingEnabled(false)
                .delete("/api/rooms/" + room + "/members/bo%00b")
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(alice.token()).urlEncodingEnabled(false)
                .get("/api/rooms/" + room + "/messages?limit=%01")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void controlCharactersInABodyAreABadRequestButTabsAndNewlinesAreText() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                .body(Map.of("text", "bell\u0007")).post("/api/rooms/" + room + "/messages")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("text"));
        given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                .body(Map.of("name", "room\u0000", "visibility", "public")).post("/api/rooms")
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                .body(Map.of("text", "line one\n\tline two\r\n")).post("/api/rooms/" + room + "/messages")
                .then().statusCode(201).body("text", equalTo("line one\n\tline two\r\n"));
    }

    @Test
    void aSendWithControlCharactersFailsAloneOnTheWebSocket() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(alice.token(), "public");
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            // interleaved, so that the good sends would share a batch with the bad ones
            for (int i = 0; i < 10; i++) {
                a.send(frame("send", "good" + i, "room", room, "text", "fine " + i));
                b.send(frame("send", "text" + i, "room", room, "text", "nul \u0000 inside"));
                b.send(frame("send", "key" + i, "room", room, "text", "fine", "clientMsgId", "k\u0000" + i));
                b.send(frame("send", "room" + i, "room", room + "\u0000", "text", "fine"));
            }
            for (int i = 0; i < 10; i++) {
                String good = "good" + i;
                assertThat(a.awaitFrame(f -> good.equals(f.path("id").asText())).path("type").asText()).isEqualTo("ok");
                for (String bad : new String[] { "text" + i, "key" + i, "room" + i }) {
                    JsonNode answer = b.awaitFrame(f -> bad.equals(f.path("id").asText()));
                    assertThat(answer.path("code").asText()).as(answer.toString()).isEqualTo("bad_request");
                    assertThat(answer.path("message").asText()).contains("control characters");
                }
            }
            assertThat(a.isOpen()).isTrue();
            assertThat(b.isOpen()).isTrue();
        }
        assertThat(given().auth().oauth2(alice.token()).get("/api/rooms/" + room).then().extract()
                .<Integer>path("lastSeq")).isEqualTo(10);
    }
}

package dev.parley.realtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;

import dev.parley.testsupport.Frames;
import dev.parley.testsupport.RawWebSocket;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestTokens;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

@QuarkusTest
class ChatWebSocketTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Inject
    OpenConnections connections;

    private TestUsers.TestUser user;

    @BeforeEach
    void createUser() {
        user = TestUsers.create("ws");
    }

    @Test
    void bearerHeaderOpensTheSocketAndPingGetsPong() {
        try (WsClient client = WsClient.connectWithHeader(ws, user.token())) {
            JsonNode pong = client.request("{\"type\":\"ping\",\"id\":\"p1\"}", "p1");
            assertThat(pong.path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void anOpenConnectionNoLongerHoldsItsBearerToken() {
        try (WsClient client = WsClient.connectWithHeader(ws, user.token())) {
            client.request("{\"type\":\"ping\",\"id\":\"p2\"}", "p2");
            assertThat(connections.listAll()).isNotEmpty().allSatisfy((WebSocketConnection c) -> {
                assertThat(c.handshakeRequest().header("Authorization")).isNull();
                assertThat(c.handshakeRequest().headers().toString()).doesNotContain(user.token());
            });
        }
    }

    @Test
    void browserSubprotocolCarriesTheTokenFromAnAllowedOrigin() {
        try (WsClient client = WsClient.connectAsBrowser(ws, user.token(), "http://localhost:8080")) {
            assertThat(client.subprotocol()).isEqualTo("bearer-token-carrier");
            assertThat(client.request("{\"type\":\"ping\",\"id\":\"b1\"}", "b1").path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void browserFromAForeignOriginIsRefusedAtTheUpgrade() {
        assertThatThrownBy(() -> WsClient.connectAsBrowser(ws, user.token(), "https://evil.example"))
                .isInstanceOfSatisfying(WsClient.UpgradeRefused.class, e -> assertThat(e.status()).isEqualTo(403));
    }

    @Test
    void malformedFramesGetBadRequestAndTheSocketStaysUsable() {
        try (WsClient client = WsClient.connectWithHeader(ws, user.token())) {
            client.send("{not json");
            JsonNode error = client.awaitFrame(f -> "error".equals(f.path("type").asText()));
            assertThat(error.path("code").asText()).isEqualTo("bad_request");
            assertThat(error.path("message").asText()).isNotBlank();

            client.send("[1,2,3]");
            client.send("{\"id\":\"no-type\"}");
            assertThat(client.awaitFrame(f -> "no-type".equals(f.path("id").asText())).path("code").asText())
                    .isEqualTo("bad_request");

            JsonNode unknown = client.request("{\"type\":\"fly\",\"id\":\"u1\"}", "u1");
            assertThat(unknown.path("type").asText()).isEqualTo("error");
            assertThat(unknown.path("code").asText()).isEqualTo("bad_request");

            JsonNode wrongType = client.request("{\"type\":\"auth\",\"id\":\"t1\",\"token\":42}", "t1");
            assertThat(wrongType.path("code").asText()).isEqualTo("bad_request");

            client.send("{\"type\":\"ping\",\"id\":7}");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> client.frames().stream().filter(f -> "error".equals(f.path("type").asText())).count() >= 5);

            assertThat(client.request("{\"type\":\"ping\",\"id\":\"after\"}", "after").path("type").asText())
                    .isEqualTo("pong");
            assertThat(client.isOpen()).isTrue();
        }
    }

    @Test
    void framesOverTheLimitGetTooLargeAndTheSocketStaysOpen() {
        try (WsClient client = WsClient.connectWithHeader(ws, user.token())) {
            String padding = "x".repeat(70 * 1024);
            JsonNode error = client.request("{\"type\":\"ping\",\"id\":\"big\",\"pad\":\"" + padding + "\"}", "big");
            assertThat(error.path("code").asText()).isEqualTo("too_large");
            assertThat(client.request("{\"type\":\"ping\",\"id\":\"small\"}", "small").path("type").asText())
                    .isEqualTo("pong");
        }
    }

    @Test
    void framesAboveOneMebibyteCloseTheSocketWith1009() {
        try (WsClient client = WsClient.connectWithHeader(ws, user.token())) {
            client.send("{\"type\":\"ping\",\"id\":\"huge\",\"pad\":\"" + "x".repeat(1100 * 1024) + "\"}");
            assertThat(client.awaitClose()).isEqualTo(1009);
        }
    }

    @Test
    void theSocketIsClosedWith1008WhenItsTokenExpires() {
        String shortLived = TestTokens.signWithParleyKey(TestTokens.claims(user.id(), user.username(), Duration.ofSeconds(3)));
        try (WsClient client = WsClient.connectWithHeader(ws, shortLived)) {
            assertThat(client.request("{\"type\":\"ping\",\"id\":\"alive\"}", "alive").path("type").asText())
                    .isEqualTo("pong");
            assertThat(client.awaitClose()).isEqualTo(1008);
        }
    }

    @Test
    void aFreshTokenOfTheSameUserKeepsTheSocketOpenPastTheOldExpiry() {
        String shortLived = TestTokens.signWithParleyKey(TestTokens.claims(user.id(), user.username(), Duration.ofSeconds(4)));
        try (WsClient client = WsClient.connectWithHeader(ws, shortLived)) {
            JsonNode ok = client.request("{\"type\":\"auth\",\"id\":\"r1\",\"token\":\"" + user.token() + "\"}", "r1");
            assertThat(ok.path("type").asText()).isEqualTo("ok");
            assertThat(ok.path("expiresAt").asLong()).isGreaterThan(System.currentTimeMillis() / 1000 + 60);
            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(client::isOpen);
            assertThat(client.request("{\"type\":\"ping\",\"id\":\"still\"}", "still").path("type").asText())
                    .isEqualTo("pong");
        }
    }

    @Test
    void anotherUsersTokenCannotTakeOverTheSocket() {
        TestUsers.TestUser other = TestUsers.create("other");
        try (WsClient client = WsClient.connectWithHeader(ws, user.token())) {
            JsonNode error = client.request("{\"type\":\"auth\",\"id\":\"x1\",\"token\":\"" + other.token() + "\"}", "x1");
            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.path("code").asText()).isEqualTo("unauthorized");
            JsonNode bad = client.request("{\"type\":\"auth\",\"id\":\"x2\",\"token\":\"garbage\"}", "x2");
            assertThat(bad.path("code").asText()).isEqualTo("unauthorized");
        }
    }

    @Test
    void framesThatAreNotExactlyOneJsonObjectGetBadRequestAndNothingOfThemRuns() {
        List<String> bad = List.of("null", "[]", "5", "-1e999", "\"ping\"", "true", "false", "",
                "{\"type\":\"ping\",\"id\":\"t1\"} junk",
                "{\"type\":\"ping\",\"id\":\"t2\"}{\"type\":\"ping\",\"id\":\"t3\"}",
                "{\"type\":\"ping\",\"id\":\"t4\"} null");
        try (WsClient client = WsClient.connectWithHeader(ws, user.token())) {
            for (String frame : bad) {
                client.send(frame);
            }
            List<JsonNode> errors = await().atMost(Duration.ofSeconds(10)).until(() -> client.frames().stream()
                    .filter(f -> "error".equals(f.path("type").asText())).toList(), e -> e.size() >= bad.size());
            assertThat(errors).hasSize(bad.size()).allSatisfy(e -> {
                assertThat(e.path("code").asText()).isEqualTo("bad_request");
                assertThat(e.path("id").isNull()).isTrue();
            });
            assertThat(client.request("{\"type\":\"ping\",\"id\":\"after\"}", "after").path("type").asText())
                    .isEqualTo("pong");
            assertThat(client.frames()).noneMatch(f -> "pong".equals(f.path("type").asText())
                    && f.path("id").asText().startsWith("t"));
        }
    }

    @Test
    void anUnpairedSurrogateEscapedInAnyStringIsRefusedAndNothingIsStored() {
        String room = TestRooms.create(user.token(), "public");
        try (WsClient client = WsClient.connectWithHeader(ws, user.token())) {
            JsonNode text = client.request("{\"type\":\"send\",\"id\":\"s1\",\"room\":\"" + room
                    + "\",\"text\":\"half \\ud83d of a pair\"}", "s1");
            assertThat(text.path("code").asText()).isEqualTo("bad_request");
            assertThat(text.path("message").asText()).isEqualTo("text must be valid Unicode (no unpaired surrogate)");
            JsonNode low = client.request("{\"type\":\"send\",\"id\":\"s2\",\"room\":\"" + room
                    + "\",\"text\":\"ok\",\"clientMsgId\":\"\\udc00\"}", "s2");
            assertThat(low.path("code").asText()).isEqualTo("bad_request");
            client.send("{\"type\":\"ping\",\"id\":\"\\ud800\"}");
            JsonNode badId = client.awaitFrame(f -> "error".equals(f.path("type").asText()) && f.path("id").isNull());
            assertThat(badId.path("code").asText()).isEqualTo("bad_request");
            // a whole pair, escaped, is an ordinary character
            JsonNode pair = client.request("{\"type\":\"send\",\"id\":\"s3\",\"room\":\"" + room
                    + "\",\"text\":\"\\ud83d\\ude00\"}", "s3");
            assertThat(pair.path("type").asText()).isEqualTo("ok");
        }
        List<String> texts = given().auth().oauth2(user.token()).get("/api/rooms/" + room + "/messages")
                .then().statusCode(200).extract().jsonPath().getList("messages.text");
        assertThat(texts).containsExactly("\ud83d\ude00");
        // the same rule for REST bodies
        given().auth().oauth2(user.token()).contentType("application/json")
                .body("{\"text\":\"\\udfff\"}".getBytes(StandardCharsets.UTF_8))
                .post("/api/rooms/" + room + "/messages").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.is("text: must be valid Unicode (no unpaired surrogate)"));
    }

    /** Vert.x decodes text messages leniently; Parley checks their bytes (TextMessageGuard). */
    @Test
    void textMessagesThatAreNotValidUtf8AreRefusedAndTheSocketStaysOpen() throws Exception {
        String room = TestRooms.create(user.token(), "public");
        byte[] head = ("{\"type\":\"send\",\"id\":\"b1\",\"room\":\"" + room + "\",\"text\":\"a")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\"}".getBytes(StandardCharsets.UTF_8);
        try (RawWebSocket raw = RawWebSocket.open(ws, user.token())) {
            for (byte[] bad : List.of(new byte[] { (byte) 0xFF }, new byte[] { (byte) 0xC0, (byte) 0xAF },
                    new byte[] { (byte) 0xED, (byte) 0xA0, (byte) 0x80 }, new byte[] { (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80 },
                    new byte[] { (byte) 0xE2, (byte) 0x82 })) {
                raw.sendTextBytes(concat(head, bad, tail));
                JsonNode error = Frames.parse(raw.readText());
                assertThat(error.path("code").asText()).as("%s", Arrays.toString(bad)).isEqualTo("bad_request");
                assertThat(error.path("message").asText()).isEqualTo("a text frame must be valid UTF-8");
            }
            // a character split between two fragments is valid; a sequence broken across them is not
            byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8);
            raw.sendFragment(concat("{\"type\":\"ping\",\"id\":\"".getBytes(StandardCharsets.UTF_8), Arrays.copyOf(euro, 2)), true, false);
            raw.sendFragment(concat(Arrays.copyOfRange(euro, 2, 3), "\"}".getBytes(StandardCharsets.UTF_8)), false, true);
            assertThat(Frames.parse(raw.readText()).path("id").asText()).isEqualTo("\u20ac");
            raw.sendFragment(concat(head, Arrays.copyOf(euro, 2)), true, false);
            raw.sendFragment("x".getBytes(StandardCharsets.UTF_8), false, false);
            raw.sendFragment(tail, false, true);
            assertThat(Frames.parse(raw.readText()).path("message").asText()).isEqualTo("a text frame must be valid UTF-8");
            // U+FFFD sent as such is ordinary text
            raw.sendTextBytes("{\"type\":\"ping\",\"id\":\"\ufffd\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(Frames.parse(raw.readText()).path("type").asText()).isEqualTo("pong");
        }
        given().auth().oauth2(user.token()).get("/api/rooms/" + room + "/messages").then().statusCode(200)
                .body("messages.size()", org.hamcrest.Matchers.is(0));
    }

    /** Vert.x appended the next fragments to the first one's buffer, which Netty made unable to grow when empty. */
    @Test
    void aTextMessageWhoseFirstFragmentIsEmptyIsAnsweredAndTheSocketStaysUsable() throws Exception {
        try (RawWebSocket raw = RawWebSocket.open(ws, user.token())) {
            raw.sendFragment(new byte[0], true, false);
            raw.sendFragment("{\"type\":\"ping\",".getBytes(StandardCharsets.UTF_8), false, false);
            raw.sendFragment(new byte[0], false, false);
            raw.sendFragment("\"id\":\"e1\"}".getBytes(StandardCharsets.UTF_8), false, true);
            assertThat(Frames.parse(raw.readText()).path("id").asText()).isEqualTo("e1");
            // refused at its first fragment: the rest appended to the mark
            raw.sendFragment(new byte[] { (byte) 0xFF }, true, false);
            raw.sendFragment("{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8), false, true);
            assertThat(Frames.parse(raw.readText()).path("code").asText()).isEqualTo("bad_request");
            raw.sendTextBytes("{\"type\":\"ping\",\"id\":\"e2\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(Frames.parse(raw.readText()).path("id").asText()).isEqualTo("e2");
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}

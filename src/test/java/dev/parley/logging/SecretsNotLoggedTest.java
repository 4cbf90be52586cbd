package dev.parley.logging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.parley.testsupport.Frames;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WebhookReceiver;
import dev.parley.testsupport.WsClient;

/**
 * An operator who turns every category down to DEBUG to chase a problem must not thereby write
 * credentials into the log: a whole session (register, login, refresh, a bot with its token and
 * webhook secret, a delivered webhook, a WebSocket with an auth frame) runs against an instance
 * logging at DEBUG to a file, and the file is then searched for every secret the session used.
 */
@QuarkusTest
@TestProfile(DebugLogProfile.class)
class SecretsNotLoggedTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void noSecretOfAFullSessionAppearsInTheDebugLog() throws Exception {
        Map<String, String> secrets = new LinkedHashMap<>();
        String username = TestUsers.uniqueName("secretive");
        String password = "pw-" + UUID.randomUUID();
        secrets.put("password", password);
        given().contentType(ContentType.JSON).body(Map.of("username", username, "password", password, "displayName", "S"))
                .post("/api/auth/register").then().statusCode(201);
        JsonPath login = given().contentType(ContentType.JSON).body(Map.of("username", username, "password", password))
                .post("/api/auth/login").then().statusCode(200).extract().jsonPath();
        secrets.put("access token", login.getString("accessToken"));
        secrets.put("refresh token", login.getString("refreshToken"));
        // a wrong password is logged as a failure, never with what was typed
        String wrong = "wrong-" + UUID.randomUUID();
        secrets.put("mistyped password", wrong);
        given().contentType(ContentType.JSON).body(Map.of("username", username, "password", wrong))
                .post("/api/auth/login").then().statusCode(401);
        JsonPath refreshed = given().contentType(ContentType.JSON).body(Map.of("refreshToken", login.getString("refreshToken")))
                .post("/api/auth/refresh").then().statusCode(200).extract().jsonPath();
        String token = refreshed.getString("accessToken");
        secrets.put("refreshed access token", token);
        secrets.put("rotated refresh token", refreshed.getString("refreshToken"));

        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            JsonPath bot = given().auth().oauth2(token).contentType(ContentType.JSON)
                    .body(Map.of("name", "Leaky", "webhookUrl", receiver.url("/hook"))).post("/api/bots")
                    .then().statusCode(201).extract().jsonPath();
            secrets.put("bot token", bot.getString("token"));
            secrets.put("webhook secret", bot.getString("webhookSecret"));
            String room = TestRooms.create(token, "private");
            TestRooms.invite(token, room, bot.getString("username"));

            try (WsClient client = WsClient.connectWithHeader(ws, login.getString("accessToken"))) {
                JsonNode auth = client.request("{\"type\":\"auth\",\"id\":\"a1\",\"token\":\"" + token + "\"}", "a1");
                assertThat(auth.path("type").asText()).isEqualTo("ok");
                client.subscribe(room, null);
                JsonNode sent = client.request(Frames.frame("send", "s1", "room", room, "text", "for the bot"), "s1");
                assertThat(sent.path("type").asText()).isEqualTo("ok");
            }
            try (WsClient botSocket = WsClient.connectWithHeader(ws, bot.getString("token"))) {
                botSocket.subscribe(room, null);
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> !receiver.received().isEmpty());
        }
        secrets.putAll(signingKeyPieces());

        Path file = Path.of(DebugLogProfile.LOG_FILE);
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(file) && Files.size(file) > 0);
        String log = read(file);
        // the scan would pass on an empty or INFO-only file: the session's WebSockets were logged at DEBUG
        assertThat(log.contains("DEBUG") && log.contains("io.quarkus.websockets.next.runtime"))
                .as("%s has DEBUG lines of the WebSocket runtime", file).isTrue();
        List<String> leaked = new ArrayList<>();
        secrets.forEach((what, value) -> {
            assertThat(value).as(what).isNotBlank();
            if (log.contains(value)) {
                leaked.add(what);
            }
        });
        assertThat(leaked).as("secrets found in %s", file).isEmpty();
    }

    /** The signing key's PEM body in pieces, so that a key logged with other line breaks is found too. */
    private static Map<String, String> signingKeyPieces() {
        String pem = ConfigProvider.getConfig().getValue("parley.auth.signing-key", String.class);
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        assertThat(body.length()).isGreaterThan(256);
        Map<String, String> pieces = new LinkedHashMap<>();
        for (int i = 0; i + 48 <= body.length(); i += 48) {
            pieces.put("signing key from " + i, body.substring(i, i + 48));
        }
        return pieces;
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file);
    }
}

package dev.parley.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;

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
}

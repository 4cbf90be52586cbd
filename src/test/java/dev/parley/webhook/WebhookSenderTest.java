package dev.parley.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.mutiny.core.Vertx;

import dev.parley.bot.WebhookTargets;
import dev.parley.testsupport.WebhookReceiver;

/** The address check at delivery: what the policy refuses is never connected to, whatever the URL. */
class WebhookSenderTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.closeAndAwait();
    }

    @Test
    void aRefusedAddressIsNeverCalledAndAnAllowedOneGetsTheSignedBody() throws Exception {
        byte[] body = "{\"room\":\"r\"}".getBytes(StandardCharsets.UTF_8);
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            WebhookSender strict = new WebhookSender(vertx, new WebhookTargets(false), Duration.ofSeconds(5));
            WebhookSender.Outcome refused = strict.post(receiver.url("/"), "secret", "r:1", body).await().atMost(Duration.ofSeconds(10));
            assertThat(refused.delivered()).isFalse();
            assertThat(refused.error()).contains("address not allowed");
            assertThat(receiver.received()).isEmpty();

            WebhookSender relaxed = new WebhookSender(vertx, new WebhookTargets(true), Duration.ofSeconds(5));
            assertThat(relaxed.post(receiver.url("/in"), "secret", "r:1", body).await().atMost(Duration.ofSeconds(10)).delivered())
                    .isTrue();
            // the operator's allowed network opens its own block only
            WebhookSender cluster = new WebhookSender(vertx, new WebhookTargets(false, List.of("127.0.0.0/8")), Duration.ofSeconds(5));
            assertThat(cluster.post(receiver.url("/in"), "secret", "r:2", body).await().atMost(Duration.ofSeconds(10)).delivered())
                    .isTrue();
            WebhookSender elsewhere = new WebhookSender(vertx, new WebhookTargets(false, List.of("10.0.0.0/8")), Duration.ofSeconds(5));
            assertThat(elsewhere.post(receiver.url("/in"), "secret", "r:3", body).await().atMost(Duration.ofSeconds(10)).delivered())
                    .isFalse();
            assertThat(receiver.received()).hasSize(2).first().satisfies(r -> {
                assertThat(r.delivery()).isEqualTo("r:1");
                assertThat(r.signature()).isEqualTo("sha256=" + WebhookSender.sign("secret", body));
            });
            // RFC 4231 test case 2: the signature is plain HMAC-SHA256, hex
            assertThat(WebhookSender.sign("Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

            receiver.answer(r -> 500);
            WebhookSender.Outcome failed = relaxed.post(receiver.url("/"), "secret", "r:2", body).await().atMost(Duration.ofSeconds(10));
            assertThat(failed.delivered()).isFalse();
            assertThat(failed.error()).isEqualTo("HTTP 500");
        }
    }
}

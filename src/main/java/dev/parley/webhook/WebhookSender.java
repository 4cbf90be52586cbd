package dev.parley.webhook;

import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.parley.bot.WebhookTargets;
import dev.parley.config.ParleyConfig;

/**
 * One signed POST to a webhook URL. The host is resolved here and the address checked against
 * {@link WebhookTargets} before connecting to exactly that address, so a name that resolves to a
 * refused address is never called. Redirects are not followed; only a 2xx answer counts.
 */
@ApplicationScoped
public class WebhookSender {

    static final String SIGNATURE = "X-Parley-Signature";

    private final Vertx vertx;
    private final WebhookTargets targets;
    private final HttpClient client;
    private final Duration timeout;

    @Inject
    public WebhookSender(Vertx vertx, WebhookTargets targets, ParleyConfig config) {
        this(vertx, targets, config.webhooks().timeout());
    }

    WebhookSender(Vertx vertx, WebhookTargets targets, Duration timeout) {
        this.vertx = vertx;
        this.targets = targets;
        this.timeout = timeout;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) timeout.toMillis())
                .setMaxPoolSize(64)
                .setKeepAlive(true));
    }

    @PreDestroy
    void close() {
        client.closeAndForget();
    }

    /** The delivery's outcome: delivered, or why not. */
    public record Outcome(boolean delivered, String error) {
    }

    /** POSTs the body, signed with the secret; never fails, the outcome says what happened. */
    public Uni<Outcome> post(String url, String secret, String deliveryId, byte[] body) {
        URI uri = URI.create(url);
        String host = WebhookTargets.host(uri);
        return vertx.executeBlocking(() -> InetAddress.getByName(host), false)
                .chain(address -> {
                    if (!targets.permits(address)) {
                        return Uni.createFrom().item(new Outcome(false, "address not allowed: " + address.getHostAddress()));
                    }
                    RequestOptions request = new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setAbsoluteURI(url)
                            .setServer(SocketAddress.inetSocketAddress(WebhookTargets.port(uri), address.getHostAddress()))
                            .setIdleTimeout(timeout.toMillis())
                            .setFollowRedirects(false)
                            .putHeader("Content-Type", "application/json")
                            .putHeader("User-Agent", "Parley-Webhook")
                            .putHeader("X-Parley-Delivery", deliveryId)
                            .putHeader(SIGNATURE, "sha256=" + sign(secret, body));
                    return client.request(request)
                            .chain(r -> r.send(Buffer.buffer(body)))
                            .chain(response -> response.body().map(ignored -> response.statusCode()))
                            .map(status -> status >= 200 && status < 300 ? new Outcome(true, null)
                                    : new Outcome(false, "HTTP " + status));
                })
                .ifNoItem().after(timeout).fail()
                .onFailure().recoverWithItem(e -> new Outcome(false, describe(e)));
    }

    /** The hex HMAC-SHA256 of the body with the secret, as {@value #SIGNATURE} carries it after {@code sha256=}. */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}

package dev.parley.config;

import static dev.parley.testsupport.Metrics.moved;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.testsupport.Frames;
import dev.parley.testsupport.Metrics;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

/**
 * Parley's own metrics, driven by a real WebSocket session: each family is exported with its tags
 * and moves with what happened. Other tests share the application, so every check is a difference.
 */
@QuarkusTest
class ApplicationMetricsTest {

    // a tag value that is a UUID: a room, user or connection id that slipped into a metric
    private static final Pattern UUID_TAG = Pattern
            .compile("=\"[^\"]*[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}[^\"]*\"");

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void aSessionMovesEachFamily() {
        TestUsers.TestUser user = TestUsers.create("metrics");
        String room = TestRooms.create(user.token(), "public");
        String before = Metrics.scrape();

        try (WsClient client = WsClient.connectWithHeader(ws, user.token())) {
            client.subscribe(room, null);
            String during = Metrics.scrape();
            assertThat(Metrics.sum(during, "parley_connections_open")).isGreaterThanOrEqualTo(1);
            assertThat(Metrics.sum(during, "parley_subscriptions_open")).isGreaterThanOrEqualTo(1);

            JsonNode ok = client.request(Frames.frame("send", "m1", "room", room, "text", "hello metrics"), "m1");
            assertThat(ok.path("type").asText()).isEqualTo("ok");
            client.awaitEvents("message", room, 1);
            JsonNode unreadable = client.request("{\"type\":\"no-such-frame\",\"id\":\"u1\"}", "u1");
            assertThat(unreadable.path("code").asText()).isEqualTo("bad_request");
            JsonNode notFound = client.request(Frames.frame("send", "m2", "room", "00000000-0000-0000-0000-000000000000",
                    "text", "nowhere"), "m2");
            assertThat(notFound.path("type").asText()).isEqualTo("error");
        }

        // the close is counted when the server has seen it
        await().atMost(Duration.ofSeconds(15)).until(() -> moved(before, Metrics.scrape(), "parley_connections_closed_total") >= 1);
        String after = Metrics.scrape();

        assertThat(moved(before, after, "parley_connections_opened_total")).isGreaterThanOrEqualTo(1);
        assertThat(moved(before, after, "parley_frames_received_total", "type", "subscribe")).isGreaterThanOrEqualTo(1);
        assertThat(moved(before, after, "parley_frames_received_total", "type", "send")).isGreaterThanOrEqualTo(2);
        assertThat(moved(before, after, "parley_frames_received_total", "type", "unknown")).isGreaterThanOrEqualTo(1);
        assertThat(moved(before, after, "parley_errors_total", "code", "bad_request")).isGreaterThanOrEqualTo(1);
        assertThat(moved(before, after, "parley_entries_committed_total", "kind", "message")).isGreaterThanOrEqualTo(1);
        assertThat(moved(before, after, "parley_commit_latency_seconds_count")).isGreaterThanOrEqualTo(1);
        assertThat(moved(before, after, "parley_delivery_latency_seconds_count", "path", "local")).isGreaterThanOrEqualTo(1);
        // histograms, for percentiles across instances
        assertThat(after).contains("parley_commit_latency_seconds_bucket{le=")
                .contains("parley_delivery_latency_seconds_bucket{path=\"local\",le=");
        // websockets-next's own meters
        assertThat(after).contains("quarkus_websockets_server_connections_opened");
    }

    /** Every family is exported from the start, each tag value from its closed set, at zero until used. */
    @Test
    void everyFamilyIsExportedWithItsBoundedTags() {
        String body = Metrics.scrape();
        for (String code : List.of("1000", "1001", "1008", "1009", "1011", "1013", "other")) {
            assertThat(Metrics.sum(body, "parley_connections_closed_total", "code", code)).isNotNaN();
        }
        for (String type : List.of("ping", "auth", "subscribe", "unsubscribe", "send", "history", "typing", "edit", "delete",
                "react", "read", "unknown")) {
            assertThat(Metrics.sum(body, "parley_frames_received_total", "type", type)).as(type).isNotNaN();
        }
        for (String code : List.of("bad_request", "unauthorized", "forbidden", "not_found", "conflict", "too_large",
                "rate_limited", "unavailable", "internal")) {
            assertThat(Metrics.sum(body, "parley_errors_total", "code", code)).as(code).isNotNaN();
        }
        for (String kind : List.of("message", "edit", "delete", "reaction")) {
            assertThat(Metrics.sum(body, "parley_entries_committed_total", "kind", kind)).as(kind).isNotNaN();
        }
        for (String limit : List.of("user-requests", "connections", "sends", "registrations", "room-creations",
                "invitations", "direct-rooms", "attachments", "bots")) {
            assertThat(Metrics.sum(body, "parley_requests_rate_limited_total", "limit", limit)).as(limit).isNotNaN();
        }
        for (String name : List.of("parley_connections_open", "parley_subscriptions_open", "parley_connections_opened_total",
                "parley_connections_slow_closed_total", "parley_live_gate_holds_total", "parley_live_repair_entries_total",
                "parley_publish_failures_total", "parley_login_throttled_total")) {
            assertThat(Metrics.sum(body, name)).as(name).isNotNaN();
        }
    }

    /** No tag, of any metric, carries an id: rooms, users and connections are UUIDs. */
    @Test
    void noTagValueIsAnId() {
        TestUsers.TestUser user = TestUsers.create("metrics-ids");
        String room = TestRooms.create(user.token(), "public");
        try (WsClient client = WsClient.connectWithHeader(ws, user.token())) {
            client.subscribe(room, null);
            client.request(Frames.frame("send", "i1", "room", room, "text", "ids stay out"), "i1");
            client.awaitEvents("message", room, 1);
            client.request(Frames.frame("history", "i2", "room", room), "i2");
        }
        String body = Metrics.scrape();
        List<String> offending = new ArrayList<>();
        for (String line : body.split("\n")) {
            Matcher m = UUID_TAG.matcher(line);
            if (!line.startsWith("#") && m.find()) {
                offending.add(line);
            }
        }
        assertThat(offending).isEmpty();
        // the check itself sees an id where one is
        assertThat(UUID_TAG.matcher("x{room=\"" + room + "\"} 1").find()).isTrue();
    }
}

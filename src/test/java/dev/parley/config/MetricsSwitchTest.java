package dev.parley.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.testsupport.Frames;
import dev.parley.testsupport.Metrics;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

/** With {@code parley.metrics.enabled=false} nothing records: a whole session leaves no meter behind. */
@QuarkusTest
@TestProfile(MetricsSwitchTest.MetricsOff.class)
class MetricsSwitchTest {

    public static class MetricsOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.metrics.enabled", "false");
        }
    }

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void metricsOffLeavesTheScrapeEmptyAfterASession() throws Exception {
        TestUsers.TestUser user = TestUsers.create("metrics-off");
        String room = TestRooms.create(user.token(), "public");
        try (WsClient client = WsClient.connectWithHeader(ws, user.token())) {
            client.subscribe(room, null);
            JsonNode ok = client.request(Frames.frame("send", "m1", "room", room, "text", "hello"), "m1");
            assertThat(ok.path("type").asText()).isEqualTo("ok");
            client.awaitEvents("message", room, 1);
        }

        String scrape = Metrics.scrape();
        assertThat(scrape.lines().filter(line -> !line.startsWith("#") && !line.isBlank())).isEmpty();
    }
}

package dev.parley.tracing;

import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Tracing on, as an operator turns it on (the SDK enabled at start), spans exported within a
 * moment, and a JSON log file of this run's own with the WebSocket gateway at DEBUG, where a
 * refused frame is logged.
 */
public class TracingProfile implements QuarkusTestProfile {

    static final String LOG_FILE = "target/tracing-log-" + UUID.randomUUID() + ".json";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.bsp.schedule.delay", "PT0.05S",
                "quarkus.log.file.enabled", "true",
                "quarkus.log.file.path", LOG_FILE,
                "quarkus.log.file.level", "DEBUG",
                "quarkus.log.file.json.enabled", "true",
                "quarkus.log.category.\"dev.parley.realtime.ChatWebSocket\".level", "DEBUG");
    }
}

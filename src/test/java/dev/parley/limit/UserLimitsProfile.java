package dev.parley.limit;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Small per-user limits, counted in Redis under a prefix of this run's own (no earlier run's counts
 * are seen). A request budget of 5/s with bursts of 20 leaves room for each test's setup calls.
 */
public class UserLimitsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(small());
        config.put("parley.redis.channel-prefix", "parley-test-" + UUID.randomUUID() + ":");
        return config;
    }

    static Map<String, String> small() {
        return Map.of(
                "parley.limits.user-rate", "5",
                "parley.limits.user-burst", "20",
                "parley.limits.connections-per-user", "3",
                "parley.limits.room-creations", "2",
                "parley.limits.invitations", "2",
                "parley.limits.direct-rooms", "2",
                "parley.limits.attachments", "2",
                "parley.limits.bots", "2");
    }
}

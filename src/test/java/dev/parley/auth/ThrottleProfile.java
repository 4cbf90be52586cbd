package dev.parley.auth;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Small login and registration limits, counted in Redis under a prefix of this run's own (so that
 * no earlier run's counters are seen), behind a trusted proxy on 127.0.0.1: each test is its own
 * client by the X-Forwarded-For it sends.
 */
public class ThrottleProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = limits();
        config.put("parley.http.trusted-proxies", "127.0.0.1");
        return config;
    }

    /** The limits alone (3 failures per username, 5 per address, 3 registrations per address). */
    static Map<String, String> limits() {
        return new HashMap<>(Map.of(
                "parley.limits.login-failures.username", "3",
                "parley.limits.login-failures.address", "5",
                "parley.limits.registrations", "3",
                "parley.redis.channel-prefix", "parley-test-" + UUID.randomUUID() + ":"));
    }
}

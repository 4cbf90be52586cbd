package dev.parley.auth;

import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Small login and registration limits, counted in Redis under a prefix of this run's own (so that
 * no earlier run's counters are seen), and client addresses taken from X-Forwarded-For so that each
 * test can be its own client.
 */
public class ThrottleProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "parley.limits.login-failures.username", "3",
                "parley.limits.login-failures.address", "5",
                "parley.limits.registrations", "3",
                "parley.redis.channel-prefix", "parley-test-" + UUID.randomUUID() + ":",
                "quarkus.http.proxy.proxy-address-forwarding", "true",
                "quarkus.http.proxy.allow-x-forwarded", "true");
    }
}

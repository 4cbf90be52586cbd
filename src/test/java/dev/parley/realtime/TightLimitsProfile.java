package dev.parley.realtime;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Small limits, so the limit paths are reachable in a test. */
public class TightLimitsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "parley.limits.subscriptions", "2",
                "parley.limits.send-rate", "1",
                "parley.limits.send-burst", "3",
                "parley.limits.outbound-buffer", "65536",
                "parley.limits.text-length", "60000",
                "parley.limits.frame-size", "131072");
    }
}

package dev.parley.limit;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The limits of {@link UserLimitsProfile} in the embedded default: no Redis, each instance counts alone. */
public class EmbeddedLimitsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(UserLimitsProfile.small());
        config.put("parley.redis.enabled", "false");
        return config;
    }
}

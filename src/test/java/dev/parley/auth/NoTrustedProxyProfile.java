package dev.parley.auth;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** {@link ThrottleProfile}'s limits with no trusted proxy: the default, where the peer is the client. */
public class NoTrustedProxyProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return ThrottleProfile.limits();
    }
}

package dev.parley.auth;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Built-in registration switched off, as where Keycloak owns the users. */
public class RegistrationSwitchProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("parley.auth.registration", "false");
    }
}

package dev.parley.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points the application at the real Keycloak from {@link KeycloakServer}.
 *
 * <p>{@link #stop()} leaves the server running: Quarkus calls it whenever a test application
 * stops, yet the next test class needs the same server, and restarting Keycloak costs tens of
 * seconds. The JVM shutdown hook in {@link KeycloakServer} ends it.
 */
public class KeycloakTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        KeycloakServer keycloak = KeycloakServer.start();
        return Map.of(
                "parley.keycloak.enabled", "true",
                "parley.keycloak.url", keycloak.realmUrl());
    }

    @Override
    public void stop() {
        // Intentionally empty; see the class comment.
    }
}

package dev.parley.testsupport;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * The real services every {@code @QuarkusTest} runs against: the local PostgreSQL (its test
 * database) and Redis, and a real Keycloak started once for the whole test JVM.
 */
@QuarkusTestResource(DatabaseTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
public final class TestServices {

    private TestServices() {
    }
}

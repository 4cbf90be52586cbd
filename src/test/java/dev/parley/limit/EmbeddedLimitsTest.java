package dev.parley.limit;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Every test of {@link UserLimitsTest} in the embedded default: no Redis, the same limits per instance. */
@QuarkusTest
@TestProfile(EmbeddedLimitsProfile.class)
class EmbeddedLimitsTest extends UserLimitsTest {
}

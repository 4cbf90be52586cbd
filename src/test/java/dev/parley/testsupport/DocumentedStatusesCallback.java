package dev.parley.testsupport;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;

/**
 * Puts {@link DocumentedStatuses} on REST Assured for every {@code @QuarkusTest} (registered in
 * META-INF/services). It runs in the test's class loader, so the filter lands on the REST Assured
 * the test uses; once there it stays, for the following tests of that class loader too.
 */
public class DocumentedStatusesCallback implements QuarkusTestBeforeEachCallback {

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (RestAssured.filters().stream().noneMatch(DocumentedStatuses.class::isInstance)) {
            RestAssured.filters(new DocumentedStatuses());
        }
    }
}

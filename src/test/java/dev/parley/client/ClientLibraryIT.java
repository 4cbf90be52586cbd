package dev.parley.client;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.testsupport.NodeTests;

/**
 * Runs the client library's own tests (src/test/js, Node's test runner) against the packaged
 * application, which they start, stop and start again themselves.
 */
class ClientLibraryIT {

    @Test
    void theClientLibraryPassesItsTestsAgainstARealServer() throws Exception {
        // short tokens, so that the renewal on the open socket is seen within the test
        NodeTests.run("client-tests", "parley_client_it", Map.of("PARLEY_AUTH_TOKEN_LIFETIME", "PT8S"), Map.of(),
                "src/test/js/parley-client.test.mjs");
    }
}

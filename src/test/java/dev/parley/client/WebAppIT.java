package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.testsupport.KeycloakServer;
import dev.parley.testsupport.NodeTests;
import dev.parley.testsupport.ParleyProcess;

/**
 * Runs the web app's browser tests (src/test/browser: playwright-core driving Debian's Chromium,
 * no browser download) against the packaged application, which they start and restart themselves.
 * The screenshots they take go to target/screenshots, so that a test run leaves the checkout as it
 * was; {@code -Dparley.screenshots=docs/screenshots} refreshes the documentation's. The Keycloak
 * sign-in runs against the tests' real Keycloak.
 */
class WebAppIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path TESTS = Path.of("src", "test", "browser");

    @Test
    void theWebAppWorksInARealBrowser() throws Exception {
        prepare();
        NodeTests.run("browser-tests", "parley_webapp_it", Map.of(), browserEnv(Map.of()),
                TESTS.resolve("webapp.test.mjs").toString());
    }

    @Test
    void signingInWithKeycloakWorksInARealBrowser() throws Exception {
        prepare();
        KeycloakServer keycloak = KeycloakServer.start();
        int port = ParleyProcess.freePort();
        // what an operator does for a deployment: the app's page becomes the client's redirect URI
        keycloak.allowWebApp("http://127.0.0.1:" + port);
        NodeTests.run("browser-keycloak-tests", "parley_webapp_kc_it", port,
                Map.of("PARLEY_KEYCLOAK_ENABLED", "true", "PARLEY_KEYCLOAK_URL", keycloak.realmUrl()),
                browserEnv(Map.of("PARLEY_TEST_KEYCLOAK", keycloak.realmUrl())),
                TESTS.resolve("keycloak.test.mjs").toString());
    }

    private static void prepare() throws Exception {
        assertThat(CHROMIUM).as("Chromium is needed for the browser tests (apt-get install chromium)").exists();
        if (!Files.isDirectory(TESTS.resolve("node_modules").resolve("playwright-core"))) {
            NodeTests.command(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", TESTS.toString()), Map.of(),
                    Path.of("target", "browser-npm.log"), 5);
        }
    }

    private static Map<String, String> browserEnv(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("PARLEY_TEST_CHROMIUM", CHROMIUM.toString());
        env.put("PARLEY_TEST_SCREENSHOTS", System.getProperty("parley.screenshots", Path.of("target", "screenshots").toString()));
        return env;
    }
}

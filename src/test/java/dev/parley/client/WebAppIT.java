package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.testsupport.NodeTests;

/**
 * Runs the web app's browser tests (src/test/browser: playwright-core driving Debian's Chromium,
 * no browser download) against the packaged application, which they start and restart themselves.
 * The screenshots they take go to docs/screenshots.
 */
class WebAppIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path TESTS = Path.of("src", "test", "browser");

    @Test
    void theWebAppWorksInARealBrowser() throws Exception {
        assertThat(CHROMIUM).as("Chromium is needed for the browser tests (apt-get install chromium)").exists();
        if (!Files.isDirectory(TESTS.resolve("node_modules").resolve("playwright-core"))) {
            NodeTests.command(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", TESTS.toString()), Map.of(),
                    Path.of("target", "browser-npm.log"), 5);
        }
        NodeTests.run("browser-tests", "parley_webapp_it", Map.of(), Map.of(
                "PARLEY_TEST_CHROMIUM", CHROMIUM.toString(),
                "PARLEY_TEST_SCREENSHOTS", Path.of("docs", "screenshots").toString()),
                TESTS.resolve("webapp.test.mjs").toString());
    }
}

package dev.parley.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.testsupport.NodeTests;

/**
 * Validates the AsyncAPI document with the AsyncAPI Initiative's own parser (npm
 * {@code @asyncapi/parser}, pinned with its lock file in src/test/asyncapi): the specification's
 * schema and its rules, such as every operation's messages belonging to its channel. npm installs
 * it on first use (install scripts off); the check itself runs offline (validate.mjs refuses remote
 * references rather than fetch them). AsyncApiContractTest holds the document against the code.
 */
class AsyncApiDocumentTest {

    private static final Path CHECK = Path.of("src", "test", "asyncapi");
    private static final Path DOCUMENT = Path.of("src", "main", "resources", "META-INF", "asyncapi.yaml");

    @Test
    void theAsyncApiParserFindsNoErrorOrWarning() throws Exception {
        Files.createDirectories(Path.of("target"));
        if (!Files.isDirectory(CHECK.resolve("node_modules").resolve("@asyncapi").resolve("parser"))) {
            NodeTests.command(List.of("npm", "ci", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund",
                    "--loglevel=warn", "--prefix", CHECK.toString()), Map.of(), Path.of("target", "asyncapi-npm.log"), 5);
        }
        String output = NodeTests.command(List.of("node", CHECK.resolve("validate.mjs").toString(), DOCUMENT.toString()),
                Map.of(), Path.of("target", "asyncapi-validate.log"), 2);
        assertThat(output).contains("VALID: AsyncAPI 3.1.0 document");
    }
}

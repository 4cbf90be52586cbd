package dev.parley.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs tests written for Node's test runner against the packaged application: they start (and
 * restart) the server themselves from the environment given here (src/test/js/server.mjs).
 */
public final class NodeTests {

    private NodeTests() {
    }

    /**
     * Runs {@code node --test} on the files with a fresh database and the extra environment; fails
     * unless every test passed. Returns the runner's output (also in {@code target/<name>.log}).
     */
    public static String run(String name, String database, Map<String, String> serverEnv, Map<String, String> env,
            String... files) throws Exception {
        return run(name, database, ParleyProcess.freePort(), serverEnv, env, files);
    }

    /** {@link #run(String, String, Map, Map, String...)} with the server on a port chosen beforehand. */
    public static String run(String name, String database, int port, Map<String, String> serverEnv,
            Map<String, String> env, String... files) throws Exception {
        DatabaseTestResource.recreate(database);
        Map<String, String> server = ParleyProcess.environment(database);
        // the pages a browser test opens come from the server itself
        server.put("PARLEY_WEBSOCKET_ALLOWED_ORIGINS", "http://127.0.0.1:" + port);
        // a restart in the middle of a test need not sit out the default 20 s (docs/operations.md)
        server.put("QUARKUS_SHUTDOWN_TIMEOUT", "PT3S");
        server.putAll(serverEnv);
        Map<String, String> all = new HashMap<>(env);
        all.put("PARLEY_TEST_COMMAND", new ObjectMapper().writeValueAsString(ParleyProcess.command()));
        all.put("PARLEY_TEST_ENV", new ObjectMapper().writeValueAsString(server));
        all.put("PARLEY_TEST_PORT", String.valueOf(port));
        all.put("PARLEY_TEST_MANAGEMENT_PORT", String.valueOf(ParleyProcess.freePort()));
        List<String> command = new ArrayList<>(List.of("node", "--experimental-websocket", "--test", "--test-reporter=spec"));
        command.addAll(List.of(files));
        String output = command(command, all, Path.of("target", name + ".log"), 8);
        assertThat(output).containsPattern("(?m)^. fail 0$");
        return output;
    }

    /** Runs a command to its end (at most {@code minutes}), prints its output and fails on a non-zero exit. */
    public static String command(List<String> command, Map<String, String> env, Path log, int minutes) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        boolean done = process.waitFor(minutes, TimeUnit.MINUTES);
        if (!done) {
            process.destroyForcibly();
        }
        String output = Files.exists(log) ? Files.readString(log) : "(no output)";
        System.out.println(output);
        assertThat(done).as(command + " finished in time").isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}

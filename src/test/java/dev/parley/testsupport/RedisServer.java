package dev.parley.testsupport;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private redis-server (the machine's binary) on its own port, that a test may stop and start
 * again to play a Redis outage without disturbing the shared Redis on 6379.
 */
public final class RedisServer implements AutoCloseable {

    private final int port;
    private final String password;
    private Process process;

    private RedisServer(int port, String password) {
        this.port = port;
        this.password = password;
    }

    public static RedisServer start() {
        return startWithPassword(null);
    }

    /** A server that requires {@code password} of its clients (requirepass), unless it is null. */
    public static RedisServer startWithPassword(String password) {
        RedisServer server = new RedisServer(ParleyProcess.freePort(), password);
        server.startAgain();
        return server;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public void startAgain() {
        try {
            List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
            if (password != null) {
                command.addAll(List.of("--requirepass", password));
            }
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(Path.of("target", "it-redis.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server", e);
        }
        await().atMost(Duration.ofSeconds(20)).until(this::accepting);
    }

    /** Kills the server, dropping every connection at once, as a crash would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !accepting());
    }

    /** Stops the server cleanly (SHUTDOWN NOSAVE): clients see their connections closed. */
    public void stop() {
        cli("SHUTDOWN", "NOSAVE");
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !accepting());
    }

    /** The ids of the connections in pub/sub mode (one subscriber connection per Parley instance). */
    public List<String> subscriberConnections() {
        List<String> ids = new ArrayList<>();
        for (String line : cli("CLIENT", "LIST", "TYPE", "pubsub").split("\n")) {
            for (String field : line.split(" ")) {
                if (field.startsWith("id=")) {
                    ids.add(field.substring(3));
                }
            }
        }
        return ids;
    }

    /** How many clients are subscribed to the channel (PUBSUB NUMSUB). */
    public int subscribers(String channel) {
        String[] lines = cli("PUBSUB", "NUMSUB", channel).strip().split("\n");
        return Integer.parseInt(lines[lines.length - 1].strip());
    }

    /** How many authentications the server has refused (the counts of its ACL LOG). */
    public long refusedAuthentications() {
        long refused = 0;
        String[] lines = cli("ACL", "LOG").split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].strip().equals("count")) {
                refused += Long.parseLong(lines[i + 1].strip());
            }
        }
        return refused;
    }

    /** Cuts one connection, the server staying up. */
    public void killConnection(String id) {
        cli("CLIENT", "KILL", "ID", id);
    }

    private String cli(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
        if (password != null) {
            command.addAll(List.of("--no-auth-warning", "-a", password));
        }
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run redis-cli", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private boolean accepting() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
        }
    }
}

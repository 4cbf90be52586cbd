package dev.parley.testsupport;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.restassured.http.ContentType;

/**
 * A real Parley instance in its own process, started from the packaged application in production
 * mode, for multi-instance tests: the jar ({@code target/quarkus-app/quarkus-run.jar}), or the native
 * executable when the build made one ({@link #command()}).
 */
public final class ParleyProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final int managementPort;
    private final Process process;
    private final Path log;

    private ParleyProcess(String name, int port, int managementPort, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
        this.log = log;
    }

    public static ParleyProcess start(String name, Map<String, String> env) {
        int port = freePort();
        int managementPort = freePort();
        Path log = Path.of("target", "it-" + name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        builder.environment().put("PARLEY_HTTP_PORT", String.valueOf(port));
        builder.environment().put("PARLEY_HTTP_HOST", "127.0.0.1");
        builder.environment().put("PARLEY_MANAGEMENT_PORT", String.valueOf(managementPort));
        try {
            ParleyProcess instance = new ParleyProcess(name, port, managementPort, builder.start(), log);
            try {
                instance.awaitReady(Duration.ofSeconds(90));
            } catch (RuntimeException e) {
                instance.close();
                throw e;
            }
            return instance;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start instance " + name, e);
        }
    }

    /**
     * The command that starts an instance. The native profile's failsafe run names the executable in
     * {@code native.image.path}: then that, else the packaged jar on this JVM. The heap is capped the
     * same way for both (a native executable takes {@code -Xmx} too).
     */
    public static List<String> command() {
        String executable = System.getProperty("native.image.path");
        if (executable != null && !executable.isBlank()) {
            if (!Files.isExecutable(Path.of(executable))) {
                throw new IllegalStateException(executable + " is missing: native process tests run after 'package -Pnative'");
            }
            return List.of(executable, "-Xmx256m");
        }
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: multi-instance tests run after 'package' (./mvnw verify)");
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar.toString());
    }

    /**
     * The environment every test instance needs: its database, a fresh signing key pair (instances
     * started with the same map accept each other's tokens), no per-connection send budget and no
     * registration throttle (every test account registers from 127.0.0.1), no per-user limits.
     */
    public static Map<String, String> environment(String database) {
        try {
            KeyPair keys = KeyPairGenerator.getInstance("RSA").generateKeyPair();
            Map<String, String> env = new HashMap<>();
            env.put("PARLEY_DB_NAME", database);
            env.put("PARLEY_AUTH_SIGNING_KEY", pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
            env.put("PARLEY_AUTH_PUBLIC_KEY", pem("PUBLIC KEY", keys.getPublic().getEncoded()));
            env.put("PARLEY_LIMITS_SEND_RATE", "0");
            env.put("PARLEY_LIMITS_REGISTRATIONS", "0");
            // tests drive one account hard; UserLimitsIT turns the per-user limits back on
            for (String limit : List.of("USER_RATE", "CONNECTIONS_PER_USER", "ROOM_CREATIONS", "INVITATIONS",
                    "DIRECT_ROOMS", "ATTACHMENTS")) {
                env.put("PARLEY_LIMITS_" + limit, "0");
            }
            return env;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #environment(String)} with the fan-out through this Redis. */
    public static Map<String, String> environment(String database, RedisServer redis) {
        Map<String, String> env = environment(database);
        env.put("PARLEY_REDIS_ENABLED", "true");
        env.put("PARLEY_REDIS_URL", redis.url());
        return env;
    }

    /** Stops instances and the servers beside them, each whatever became of the others (nulls skipped). */
    public static void stopAll(AutoCloseable... resources) {
        for (AutoCloseable c : resources) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort: the next one is stopped all the same
            }
        }
    }

    /** A new built-in account on this instance, logged in. */
    public TestUsers.TestUser register(String prefix) {
        String username = (prefix + "-" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase();
        Map<String, String> credentials = Map.of("username", username, "password", "password-123");
        String id = given().baseUri(baseUrl()).contentType(ContentType.JSON).body(credentials)
                .post("/api/auth/register").then().statusCode(201).extract().path("id");
        String token = given().baseUri(baseUrl()).contentType(ContentType.JSON).body(credentials)
                .post("/api/auth/login").then().statusCode(200).extract().path("accessToken");
        return new TestUsers.TestUser(id, username, token);
    }

    /** A new public room owned by the token's user; returns its id. */
    public String createRoom(String token) {
        return given().baseUri(baseUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("name", "room-" + System.nanoTime(), "visibility", "public"))
                .post("/api/rooms").then().statusCode(201).extract().path("id");
    }

    /** Sends a message over REST; returns its seq. */
    public int post(String token, String room, String text) {
        return given().baseUri(baseUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("text", text)).post("/api/rooms/" + room + "/messages")
                .then().statusCode(201).extract().path("seq");
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public URI ws() {
        return URI.create("ws://127.0.0.1:" + port + "/ws");
    }

    /** The management port: health ({@code /q/health/...}) and metrics ({@code /q/metrics}). */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    private void awaitReady(Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("instance " + name + " exited: " + tail());
            }
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200;
            } catch (IOException e) {
                return false; // not listening yet
            }
        });
    }

    /** Sends SIGKILL, as a crash or the OOM killer would, and waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM, as Kubernetes does, without waiting. */
    public void terminate() {
        process.destroy();
    }

    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** CPU time the instance's JVM has used so far, all threads (Linux: from /proc). */
    public Duration cpuTime() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
            // fields after the command name, which ends with ')': state is the 3rd field, utime the 14th
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return Duration.ofMillis(ticks * 10); // USER_HZ is 100 on Linux
        } catch (IOException e) {
            throw new IllegalStateException("instance " + name + " is gone", e);
        }
    }

    /** File descriptors the instance holds now, sockets included (Linux: from /proc). */
    public int openFiles() {
        try (var fds = Files.list(Path.of("/proc", String.valueOf(process.pid()), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new IllegalStateException("instance " + name + " is gone", e);
        }
    }

    /** The instance's resident memory in MiB (Linux: VmRSS from /proc). */
    public long residentMiB() {
        try {
            String rss = Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).findFirst().orElseThrow();
            return Long.parseLong(rss.replaceAll("\\D", "")) / 1024;
        } catch (IOException e) {
            throw new IllegalStateException("instance " + name + " is gone", e);
        }
    }

    /** The instance's log so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** A TCP port free now on this machine. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}

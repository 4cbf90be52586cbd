package dev.parley.testsupport;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;

/**
 * One real Keycloak process (the unpacked {@code keycloak-quarkus-dist}) for the whole test JVM,
 * serving the {@code parley} realm from {@code kubernetes/keycloak/parley-realm.json}, the file
 * operators import, unchanged. The tests' fixtures (users, a password-grant client, a client of
 * another service) are added through the admin API after the start, so the shipped realm holds none.
 *
 * <p>No Quarkus on purpose: it is usable from a Quarkus test resource, a plain JUnit test or a
 * throwaway main alike.
 */
public final class KeycloakServer {

    public static final String HOME_PROPERTY = "keycloak.test.home";
    // A JVM-wide mark (system properties outlive class loaders); not under "parley.", which the
    // application's configuration mapping owns.
    private static final String STARTED_PROPERTY = "keycloak.test.started";
    public static final String HOST = "127.0.0.1";
    public static final int HTTP_PORT = 8180;
    /**
     * Not Keycloak's default 9000: that is also the port of a Quarkus app's management interface
     * in dev mode, so a developer running Parley locally would collide with the tests.
     */
    public static final int MANAGEMENT_PORT = 9180;
    public static final String REALM = "parley";
    /** The realm's browser client: authorization code with PKCE only, exact redirect URIs. */
    public static final String WEB_CLIENT_ID = "parley-web";
    /** A test-only client that may use the password grant, with Parley's audience mapper. */
    public static final String TEST_CLIENT_ID = "parley-test";
    /** A test-only client whose tokens are not meant for Parley (no audience mapper). */
    public static final String OTHER_CLIENT_ID = "other-service";
    // The bootstrap admin of the master realm; test-only, bound to the loopback interface.
    private static final String ADMIN_USER = "parley-test-admin";
    private static final String ADMIN_PASSWORD = "parley-test-admin-password";

    private static final System.Logger LOG = System.getLogger(KeycloakServer.class.getName());

    private static final List<String> BUILD_OPTIONS = List.of("--db=dev-file", "--health-enabled=true");
    private static final String BUILD_MARKER = ".parley-build";
    private static final String REALM_FILE = "kubernetes/keycloak/parley-realm.json";
    private static final String LOG_FILE = "target/keycloak.log";

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration LOCK_TIMEOUT = Duration.ofMinutes(15);
    private static final int LOG_TAIL_LINES = 40;

    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private static KeycloakServer instance;
    // Remembered so that every test class after a failed start fails fast instead of waiting again.
    private static RuntimeException startFailure;
    // Held until this JVM exits (the OS then releases it), so only one test JVM on the machine
    // owns the ports at a time; never read, but must stay reachable.
    @SuppressWarnings("unused")
    private static FileLock machineLock;

    private java.security.PrivateKey realmKey;
    private String realmKeyId;

    private KeycloakServer() {
    }

    /** Starts Keycloak on first use and returns the same server for the rest of the JVM's life. */
    public static synchronized KeycloakServer start() {
        if (startFailure != null) {
            throw startFailure;
        }
        if (instance == null && System.getProperty(STARTED_PROPERTY) != null) {
            // Launched by this JVM already, under another class loader (Quarkus gives each test
            // profile its own): that launch holds the lock and its shutdown hook ends the server.
            instance = new KeycloakServer();
        }
        if (instance == null) {
            try {
                launch();
                System.setProperty(STARTED_PROPERTY, "true");
                instance = new KeycloakServer();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return instance;
    }

    public String realmUrl() {
        return "http://" + HOST + ":" + HTTP_PORT + "/realms/" + REALM;
    }

    public String tokenEndpoint() {
        return realmUrl() + "/protocol/openid-connect/token";
    }

    public String authorizationEndpoint() {
        return realmUrl() + "/protocol/openid-connect/auth";
    }

    /** Resource-owner password grant against {@value #TEST_CLIENT_ID}; returns the access token. */
    public String passwordGrant(String username, String password) {
        return passwordGrant(TEST_CLIENT_ID, username, password);
    }

    /** Resource-owner password grant against the given client; returns the access token. */
    public String passwordGrant(String clientId, String username, String password) {
        HttpResponse<String> response = tokenRequest(clientId, username, password);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Password grant for '" + username + "' failed with HTTP "
                    + response.statusCode() + ": " + response.body());
        }
        Matcher matcher = ACCESS_TOKEN.matcher(response.body());
        if (!matcher.find()) {
            throw new IllegalStateException("No access_token in token response: " + response.body());
        }
        return matcher.group(1);
    }

    /** The token endpoint's answer to a password grant, whatever it is. */
    public HttpResponse<String> tokenRequest(String clientId, String username, String password) {
        String form = formEncode(Map.of(
                "client_id", clientId,
                "grant_type", "password",
                "scope", "openid",
                "username", username,
                "password", password));
        HttpRequest request = HttpRequest.newBuilder(URI.create(tokenEndpoint()))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        return send(request);
    }

    /** A GET to Keycloak, redirects not followed (for the authorization endpoint's answers). */
    public HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    /**
     * Registers a web app at {@code origin} (e.g. {@code http://127.0.0.1:41234}) with the browser
     * client, as an operator does for a deployment: its page {@code origin + "/"} becomes an exact
     * redirect URI and post-logout redirect URI, and the origin may call the token endpoint.
     */
    public void allowWebApp(String origin) {
        KeycloakAdmin.login(realmBase(), ADMIN_USER, ADMIN_PASSWORD).registerRedirect(REALM, WEB_CLIENT_ID, origin + "/");
    }

    /**
     * Signs the claims with a key of the realm's, as Keycloak itself would: a key pair made here and
     * imported into the realm once, for tokens Keycloak would never issue (iat in the future).
     */
    public synchronized String signWithRealmKey(io.smallrye.jwt.build.JwtClaimsBuilder claims) {
        if (realmKeyId == null) {
            try {
                java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                realmKey = generator.generateKeyPair().getPrivate();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(realmKey.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            realmKeyId = KeycloakAdmin.login(realmBase(), ADMIN_USER, ADMIN_PASSWORD).importSigningKey(REALM, pem);
        }
        return claims.issuer(realmUrl()).jws().keyId(realmKeyId).sign(realmKey);
    }

    private static String realmBase() {
        return "http://" + HOST + ":" + HTTP_PORT;
    }

    private static void launch() {
        Path projectDir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path logFile = projectDir.resolve(LOG_FILE);

        // Two test JVMs (say, two Maven runs) would otherwise race for the ports, and the loser
        // could mistake the winner's Keycloak for its own and lose it when the winner exits.
        machineLock = acquireMachineLock();

        // Holding the lock, a ready Keycloak can only be one left behind by a test JVM that was
        // killed before its shutdown hook ran; starting a second one would only fail to bind.
        if (isReady()) {
            LOG.log(Level.INFO, "Reusing the Keycloak already serving realm {0} on {1}:{2}",
                    REALM, HOST, String.valueOf(HTTP_PORT));
            addFixtures();
            return;
        }

        // Keycloak binds its ports only after bootstrap, so a port taken by something else would
        // otherwise surface as a failure many seconds later.
        for (int port : new int[] {HTTP_PORT, MANAGEMENT_PORT}) {
            if (!isFree(port)) {
                throw new IllegalStateException("Port " + HOST + ":" + port + " is taken by something that is not"
                        + " a ready Keycloak serving realm " + REALM + ", perhaps one left by a killed test run"
                        + " and still starting (see `ss -ltnp`)");
            }
        }

        Path home = keycloakHome();
        Path realmFile = projectDir.resolve(REALM_FILE);
        if (!Files.isRegularFile(realmFile)) {
            throw new IllegalStateException("Realm file not found: " + realmFile);
        }
        Path kcSh = home.resolve("bin/kc.sh");
        // Unpacking a zip does not always keep the executable bit.
        if (!Files.isExecutable(kcSh) && !kcSh.toFile().setExecutable(true)) {
            throw new IllegalStateException("Cannot make " + kcSh + " executable");
        }

        try {
            Files.createDirectories(logFile.getParent());
            Files.write(logFile, new byte[0]);
            buildIfNeeded(home, kcSh, logFile);
            // The dev-file database survives in the home, and --import-realm skips a realm that
            // already exists: start from an empty database so the realm file is always what runs.
            deleteTree(home.resolve("data/h2"));
            Path importDir = Files.createDirectories(home.resolve("data/import"));
            Files.copy(realmFile, importDir.resolve(realmFile.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare Keycloak in " + home, e);
        }

        List<String> command = new ArrayList<>(List.of(
                kcSh.toString(), "start", "--optimized", "--import-realm",
                "--http-enabled=true",
                "--http-host=" + HOST,
                "--http-port=" + HTTP_PORT,
                "--http-management-port=" + MANAGEMENT_PORT,
                "--hostname=http://" + HOST + ":" + HTTP_PORT,
                "--hostname-strict=false",
                // The production default is a clustered cache whose JGroups transport binds to a
                // site-local address and looks for peers there; a test needs neither.
                "--cache=local"));
        long startedAt = System.nanoTime();
        Process process = spawn(command, home, logFile);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> destroyTree(process), "keycloak-shutdown"));
        try {
            waitUntilReady(process, logFile);
            addFixtures();
        } catch (RuntimeException e) {
            destroyTree(process);
            throw e;
        }
        LOG.log(Level.INFO, "Keycloak ready at {0} after {1} ms (log: {2})",
                "http://" + HOST + ":" + HTTP_PORT, String.valueOf(elapsedMillis(startedAt)), logFile);
    }

    private static void addFixtures() {
        KeycloakAdmin admin = KeycloakAdmin.login(realmBase(), ADMIN_USER, ADMIN_PASSWORD);
        admin.createClient(REALM, TEST_CLIENT_ID, true);
        admin.createClient(REALM, OTHER_CLIENT_ID, false);
        admin.createUser(REALM, "alice", "alice@example.com", "Alice", "Liddell", "alice-password-1");
        admin.createUser(REALM, "bob", "bob@example.com", "Bob", "Builder", "bob-password-1");
    }

    private static FileLock acquireMachineLock() {
        Path lockFile = Path.of(System.getProperty("java.io.tmpdir"), "parley-keycloak-" + HTTP_PORT + ".lock");
        try {
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            LOG.log(Level.INFO, "Waiting for another test JVM to release Keycloak ({0})", lockFile);
            // lock() blocks until the other JVM exits; the future bounds the wait.
            CompletableFuture<FileLock> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return channel.lock();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try {
                return waiting.get(LOCK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                channel.close();
                throw new IllegalStateException("Another test JVM kept the Keycloak lock " + lockFile
                        + " for more than " + LOCK_TIMEOUT);
            } catch (ExecutionException e) {
                throw new IllegalStateException("Cannot lock " + lockFile, e.getCause());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot lock " + lockFile, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + lockFile, e);
        }
    }

    private static Path keycloakHome() {
        String value = System.getProperty(HOME_PROPERTY);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + HOME_PROPERTY
                    + " is not set; it must point at the unpacked keycloak-quarkus-dist");
        }
        Path home = Path.of(value).toAbsolutePath();
        if (!Files.isRegularFile(home.resolve("bin/kc.sh"))) {
            throw new IllegalStateException("No Keycloak distribution at " + home
                    + " (Maven unpacks it in the generate-test-resources phase)");
        }
        return home;
    }

    private static void buildIfNeeded(Path home, Path kcSh, Path logFile) throws IOException {
        Path marker = home.resolve(BUILD_MARKER);
        String wanted = String.join(" ", BUILD_OPTIONS);
        if (Files.isRegularFile(marker) && Files.readString(marker).strip().equals(wanted)) {
            return;
        }
        Files.deleteIfExists(marker);
        List<String> command = new ArrayList<>();
        command.add(kcSh.toString());
        command.add("build");
        command.addAll(BUILD_OPTIONS);
        long startedAt = System.nanoTime();
        Process build = spawn(command, home, logFile);
        try {
            if (!build.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                destroyTree(build);
                throw new IllegalStateException("kc.sh build did not finish within " + BUILD_TIMEOUT
                        + "\n" + tail(logFile));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroyTree(build);
            throw new IllegalStateException("Interrupted while building Keycloak", e);
        }
        if (build.exitValue() != 0) {
            throw new IllegalStateException("kc.sh build exited with " + build.exitValue() + "\n" + tail(logFile));
        }
        Files.writeString(marker, wanted + "\n");
        LOG.log(Level.INFO, "Keycloak build finished in {0} ms", String.valueOf(elapsedMillis(startedAt)));
    }

    private static Process spawn(List<String> command, Path home, Path logFile) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = builder.environment();
        // Stray KC_* settings from a developer's shell (KC_DB, KC_HOSTNAME, ...) would override the
        // options above or clash with the optimized build.
        env.keySet().removeIf(name -> name.startsWith("KC_"));
        // Creates the master realm's admin on the first start of an empty database (every launch).
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USER);
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
        // Run Keycloak on the same JDK as the tests rather than whatever `java` is first on the PATH.
        env.put("JAVA_HOME", System.getProperty("java.home"));
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command, e);
        }
    }

    private static void waitUntilReady(Process process, Path logFile) {
        try {
            await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Keycloak exited with " + process.exitValue()
                            + " before it was ready\n" + tail(logFile));
                }
                return isReady();
            });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("Keycloak was not ready within " + READY_TIMEOUT + "\n" + tail(logFile));
        }
    }

    /** Ready means healthy and serving our realm, not merely something listening on the ports. */
    private static boolean isReady() {
        return answersOk("http://" + HOST + ":" + MANAGEMENT_PORT + "/health/ready")
                && answersOk("http://" + HOST + ":" + HTTP_PORT + "/realms/" + REALM
                        + "/.well-known/openid-configuration");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(HOST, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean answersOk(String url) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("Request to " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during request to " + request.uri(), e);
        }
    }

    /**
     * kc.sh runs Java as a child and only forwards the signal, so the children are signalled
     * directly too: a wrapper that dies first must not leave an orphaned JVM holding the ports.
     */
    private static void destroyTree(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().collect(Collectors.toList()));
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        CompletableFuture<?>[] exits = tree.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            tree.forEach(ProcessHandle::destroyForcibly);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tree.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(path);
            }
        }
    }

    private static String tail(Path logFile) {
        try {
            List<String> lines = new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8).lines()
                    .collect(Collectors.toList());
            int from = Math.max(0, lines.size() - LOG_TAIL_LINES);
            return "--- last lines of " + logFile + " ---\n" + String.join("\n", lines.subList(from, lines.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    private static String formEncode(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static long elapsedMillis(long startedAt) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
    }
}

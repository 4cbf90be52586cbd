package dev.parley.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;

/**
 * Parley's load benchmark, run against a running Parley (see docs/performance.md):
 *
 * <pre>
 * ./mvnw -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.parley.bench.Bench \
 *     -Dexec.args="ingest --connections 10 --window 10 --rooms 10 --duration 20"
 * </pre>
 *
 * Scenarios: {@code ingest}, {@code fanout} (with {@code --recv-url} for the two-instance variant, and
 * {@code --spread true} to put senders and every room's subscribers on both instances),
 * {@code connections} and {@code search} ({@link SearchBench}). Each prints a summary and appends one JSON line to {@code --out}.
 */
public final class Bench {

    private final Map<String, String> args;
    private final BenchApi api;
    private final BenchApi management;
    private final URI ws;
    private final URI recvWs;
    private final Vertx vertx;
    private final WebSocketClient client;

    private Bench(Map<String, String> args) {
        this.args = args;
        String url = arg("url", "http://localhost:8080");
        this.api = new BenchApi(url);
        // health and metrics are on the server's management port (PARLEY_MANAGEMENT_PORT, default 9000)
        this.management = new BenchApi(arg("management-url", "http://" + URI.create(url).getHost() + ":9000"));
        this.ws = wsUri(url);
        this.recvWs = wsUri(arg("recv-url", url));
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Integer.parseInt(arg("client-threads", "2"))));
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(1_000_000).setConnectTimeout(20_000).setMaxFrameSize(1 << 20)
                .setMaxMessageSize(1 << 20));
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) {
            System.err.println("usage: Bench ingest|fanout|connections|search [--key value]...");
            System.exit(2);
        }
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 1; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        Bench bench = new Bench(args);
        try {
            Map<String, Object> results = switch (argv[0]) {
                case "ingest" -> bench.ingest();
                case "fanout" -> bench.fanout();
                case "connections" -> bench.connections();
                case "search" -> new SearchBench(bench.api, args).run();
                default -> throw new IllegalArgumentException("unknown scenario " + argv[0]);
            };
            bench.report(argv[0], results);
            if (Boolean.parseBoolean(args.getOrDefault("check", "false")) && !healthy(results)) {
                System.err.println("benchmark check failed: work was lost or refused");
                System.exit(1);
            }
        } finally {
            bench.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** With --check: nothing refused, nothing lost, something measured. */
    private static boolean healthy(Map<String, Object> r) {
        boolean noErrors = ((Number) r.getOrDefault("errors", 0L)).longValue() == 0
                && ((Number) r.getOrDefault("failures", 0L)).longValue() == 0;
        boolean delivered = !r.containsKey("deliveryRatio") || ((Number) r.get("deliveryRatio")).doubleValue() == 1.0;
        boolean measured = ((Number) r.getOrDefault("committed", r.getOrDefault("sent", r.getOrDefault("opened", 0L))))
                .longValue() > 0;
        return noErrors && delivered && measured;
    }

    // ---------------------------------------------------------------------------------------------
    // ingest: C connections, each keeping W sends outstanding, over R rooms

    private Map<String, Object> ingest() throws Exception {
        int connections = intArg("connections", 10);
        int window = intArg("window", 10);
        int roomCount = intArg("rooms", 10);
        List<String> tokens = tokens(Math.min(connections, 10));
        List<String> rooms = rooms(tokens.get(0), roomCount);
        // --webhook URL: a bot with that webhook in every room (a dead endpoint shows what it costs sends)
        String webhook = arg("webhook", "");
        if (!webhook.isEmpty()) {
            api.newWebhookBot(tokens.get(0), webhook, rooms);
        }
        List<BenchConnection> conns = open(ws, tokens, connections);

        LatencyRecorder latency = new LatencyRecorder();
        AtomicLong acked = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicInteger outstanding = new AtomicInteger();
        Phase phase = new Phase();
        for (int c = 0; c < conns.size(); c++) {
            BenchConnection conn = conns.get(c);
            String room = rooms.get(c % rooms.size());
            AtomicLong counter = new AtomicLong();
            String prefix = "c" + c + "-";
            Runnable[] next = new Runnable[1];
            next[0] = () -> {
                if (phase.stopped()) {
                    return;
                }
                long n = counter.incrementAndGet();
                String id = prefix + n;
                long sentAt = System.nanoTime();
                outstanding.incrementAndGet();
                conn.request(id, "{\"type\":\"send\",\"id\":\"" + id + "\",\"room\":\"" + room + "\",\"text\":\"ingest "
                        + n + "\",\"clientMsgId\":\"" + id + "\"}", answer -> {
                            outstanding.decrementAndGet();
                            if (phase.measuring()) {
                                if (BenchConnection.isOk(answer)) {
                                    acked.incrementAndGet();
                                    latency.record((System.nanoTime() - sentAt) / 1000);
                                } else {
                                    errors.incrementAndGet();
                                }
                            }
                            next[0].run();
                        });
            };
            for (int w = 0; w < window; w++) {
                next[0].run();
            }
        }
        double seconds = phase.run(intArg("warmup", 3), intArg("duration", 20));
        awaitZero(outstanding, 15);
        closeAll(conns);
        LatencyRecorder.Summary s = latency.summary();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("connections", connections);
        r.put("window", window);
        r.put("rooms", roomCount);
        r.put("webhook", webhook);
        r.put("seconds", round(seconds));
        r.put("committed", acked.get());
        r.put("errors", errors.get());
        r.put("msgsPerSec", round(acked.get() / seconds));
        r.put("ackP50Ms", s.p50());
        r.put("ackP95Ms", s.p95());
        r.put("ackP99Ms", s.p99());
        r.put("ackMaxMs", s.max());
        return r;
    }

    // ---------------------------------------------------------------------------------------------
    // fanout: R rooms x M subscribers, S senders at a fixed total rate

    private Map<String, Object> fanout() throws Exception {
        int roomCount = intArg("rooms", 10);
        int subscribers = intArg("subscribers", 50);
        int senderCount = intArg("senders", 10);
        double rate = Double.parseDouble(arg("rate", "500"));
        List<String> tokens = tokens(10);
        List<String> rooms = rooms(tokens.get(0), roomCount);

        LatencyRecorder latency = new LatencyRecorder();
        AtomicLong delivered = new AtomicLong();
        // --spread: senders and each room's subscribers on both instances, as behind a load balancer
        // (without it every sender is on --url and every subscriber on --recv-url)
        boolean spread = Boolean.parseBoolean(arg("spread", "false")) && !ws.equals(recvWs);
        List<BenchConnection> receivers = new ArrayList<>();
        for (int i = 0; i < roomCount * subscribers; i += roomCount) {
            receivers.addAll(open(spread && (i / roomCount) % 2 == 1 ? ws : recvWs, tokens, roomCount));
        }
        List<CompletableFuture<Void>> subscribed = new ArrayList<>();
        for (int i = 0; i < receivers.size(); i++) {
            BenchConnection conn = receivers.get(i);
            String room = rooms.get(i % roomCount);
            conn.onMessage(frame -> {
                int t = frame.indexOf("\"text\":\"t=");
                if (t >= 0) {
                    long sentAt = BenchConnection.number(frame, "\"text\":\"t=");
                    latency.record((System.nanoTime() - sentAt) / 1000);
                    delivered.incrementAndGet();
                }
            });
            CompletableFuture<Void> done = new CompletableFuture<>();
            conn.request("s" + i, "{\"type\":\"subscribe\",\"id\":\"s" + i + "\",\"room\":\"" + room + "\"}", answer -> {
                if (BenchConnection.isOk(answer)) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(new IllegalStateException(answer));
                }
            });
            subscribed.add(done);
        }
        CompletableFuture.allOf(subscribed.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

        List<BenchConnection> senders = new ArrayList<>();
        for (int i = 0; i < senderCount; i++) {
            senders.addAll(open(spread && i % 2 == 1 ? recvWs : ws, List.of(tokens.get(i % tokens.size())), 1));
        }
        LatencyRecorder ackLatency = new LatencyRecorder();
        AtomicLong acked = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicInteger outstanding = new AtomicInteger();
        Phase phase = new Phase();
        AtomicLong sequence = new AtomicLong();
        double perTick = rate / 200.0; // a tick every 5 ms
        double[] credit = new double[1];
        long timer = vertx.setPeriodic(5, id -> {
            if (phase.stopped()) {
                return;
            }
            credit[0] += perTick;
            while (credit[0] >= 1) {
                credit[0] -= 1;
                long n = sequence.incrementAndGet();
                BenchConnection sender = senders.get((int) (n % senders.size()));
                String room = rooms.get((int) (n % rooms.size()));
                boolean measured = phase.measuring();
                String text = (measured ? "t=" : "w=") + System.nanoTime();
                String requestId = "f" + n;
                outstanding.incrementAndGet();
                long sentAt = System.nanoTime();
                sender.request(requestId, "{\"type\":\"send\",\"id\":\"" + requestId + "\",\"room\":\"" + room
                        + "\",\"text\":\"" + text + "\"}", answer -> {
                            outstanding.decrementAndGet();
                            if (measured) {
                                if (BenchConnection.isOk(answer)) {
                                    ackLatency.record((System.nanoTime() - sentAt) / 1000);
                                    acked.incrementAndGet();
                                } else {
                                    errors.incrementAndGet();
                                }
                            }
                        });
            }
        });
        double seconds = phase.run(intArg("warmup", 3), intArg("duration", 20));
        vertx.cancelTimer(timer);
        awaitZero(outstanding, 15);
        long expected = acked.get() * subscribers;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (delivered.get() < expected && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50); // draining the last deliveries; bounded by the deadline
        }
        closeAll(receivers);
        closeAll(senders);
        LatencyRecorder.Summary s = latency.summary();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("rooms", roomCount);
        r.put("subscribers", subscribers);
        r.put("senders", senderCount);
        r.put("rate", rate);
        r.put("twoInstances", !ws.equals(recvWs));
        r.put("spread", spread);
        r.put("seconds", round(seconds));
        r.put("sent", acked.get());
        r.put("errors", errors.get());
        r.put("delivered", delivered.get());
        r.put("expected", expected);
        r.put("deliveryRatio", expected == 0 ? 0 : round4((double) delivered.get() / expected));
        r.put("deliveriesPerSec", round(delivered.get() / seconds));
        r.put("e2eP50Ms", s.p50());
        r.put("e2eP95Ms", s.p95());
        r.put("e2eP99Ms", s.p99());
        r.put("e2eMaxMs", s.max());
        LatencyRecorder.Summary a = ackLatency.summary();
        r.put("ackP50Ms", a.p50());
        r.put("ackP99Ms", a.p99());
        return r;
    }

    // ---------------------------------------------------------------------------------------------
    // connections: N authenticated connections, each subscribed to a room, held

    private Map<String, Object> connections() throws Exception {
        int count = intArg("connections", 10_000);
        int roomCount = intArg("rooms", 100);
        int concurrency = intArg("concurrency", 200);
        int warmup = intArg("warmup-connections", Math.min(count, 5_000));
        List<String> tokens = tokens(10);
        List<String> rooms = rooms(tokens.get(0), roomCount);
        long pid = serverPid();

        // A wave opened and closed first, like the warm-up of the other scenarios: both JVMs compile
        // their hot paths and every account becomes a member of its rooms, so the measured wave sees
        // the steady state of a running service.
        if (warmup > 0) {
            Wave wave = openWave(warmup, concurrency, tokens, rooms);
            closeAll(wave.conns);
            awaitClosed(wave.conns, 30);
            TimeUnit.SECONDS.sleep(1); // the server finishes its close handling before RSS is read
        }
        long rssBefore = rss(pid);
        Wave wave = openWave(count, concurrency, tokens, rooms);
        TimeUnit.SECONDS.sleep(intArg("hold", 10)); // holding the connections is the point of this scenario
        long rssHeld = rss(pid);
        double heapMb = heapUsedMb();
        closeAll(wave.conns);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("connections", count);
        r.put("warmupConnections", warmup);
        r.put("opened", count - wave.failures);
        r.put("failures", wave.failures);
        r.put("openSeconds", round(wave.seconds));
        r.put("opensPerSec", round(count / wave.seconds));
        r.put("serverRssMbBefore", round(rssBefore / 1048576.0));
        r.put("serverRssMbHeld", round(rssHeld / 1048576.0));
        r.put("rssMbPer10k", round((rssHeld - rssBefore) / 1048576.0 * 10_000 / Math.max(1, count)));
        r.put("serverHeapUsedMb", round(heapMb));
        return r;
    }

    private record Wave(List<BenchConnection> conns, long failures, double seconds) {
    }

    /** Opens {@code count} connections, {@code concurrency} at a time, each subscribed to one room. */
    private Wave openWave(int count, int concurrency, List<String> tokens, List<String> rooms) throws Exception {
        List<BenchConnection> conns = new ArrayList<>(count);
        AtomicLong failures = new AtomicLong();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger started = new AtomicInteger();
        CompletableFuture<Void> all = new CompletableFuture<>();
        AtomicInteger finished = new AtomicInteger();
        long t0 = System.nanoTime();
        Runnable[] launch = new Runnable[1];
        launch[0] = () -> {
            while (inFlight.get() < concurrency) {
                int i = started.getAndIncrement();
                if (i >= count) {
                    return;
                }
                inFlight.incrementAndGet();
                BenchConnection.open(client, ws, tokens.get(i % tokens.size())).compose(conn -> {
                    synchronized (conns) {
                        conns.add(conn);
                    }
                    CompletableFuture<String> answer = new CompletableFuture<>();
                    conn.request("c", "{\"type\":\"subscribe\",\"id\":\"c\",\"room\":\"" + rooms.get(i % rooms.size()) + "\"}",
                            answer::complete);
                    return Future.fromCompletionStage(answer);
                }).onComplete(ar -> {
                    if (ar.failed() || !BenchConnection.isOk(ar.result())) {
                        failures.incrementAndGet();
                    }
                    inFlight.decrementAndGet();
                    if (finished.incrementAndGet() == count) {
                        all.complete(null);
                    } else {
                        vertx.runOnContext(v -> launch[0].run());
                    }
                });
            }
        };
        vertx.runOnContext(v -> launch[0].run());
        all.get(600, TimeUnit.SECONDS);
        return new Wave(conns, failures.get(), (System.nanoTime() - t0) / 1e9);
    }

    // ---------------------------------------------------------------------------------------------

    private List<String> tokens(int n) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tokens.add(api.newUserToken("bench"));
        }
        return tokens;
    }

    private List<String> rooms(String token, int n) {
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rooms.add(api.newRoom(token));
        }
        return rooms;
    }

    private List<BenchConnection> open(URI target, List<String> tokens, int n) throws Exception {
        List<CompletableFuture<BenchConnection>> opening = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            opening.add(BenchConnection.open(client, target, tokens.get(i % tokens.size()))
                    .toCompletionStage().toCompletableFuture());
        }
        List<BenchConnection> conns = new ArrayList<>();
        for (CompletableFuture<BenchConnection> f : opening) {
            conns.add(f.get(60, TimeUnit.SECONDS));
        }
        return conns;
    }

    private static void closeAll(List<BenchConnection> conns) {
        for (BenchConnection c : conns) {
            c.close();
        }
    }

    private static void awaitClosed(List<BenchConnection> conns, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (conns.stream().anyMatch(c -> !c.isClosed()) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50); // the closing handshakes complete; bounded by the deadline
        }
    }

    private static void awaitZero(AtomicInteger outstanding, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (outstanding.get() > 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20); // draining answers in flight; bounded by the deadline
        }
    }

    private long serverPid() {
        if (args.containsKey("server-pid")) {
            return Long.parseLong(args.get("server-pid"));
        }
        try {
            Process ss = new ProcessBuilder("ss", "-ltnpH", "sport = :" + ws.getPort()).start();
            String out = new String(ss.getInputStream().readAllBytes());
            int i = out.indexOf("pid=");
            return i < 0 ? -1 : Long.parseLong(out.substring(i + 4, out.indexOf(',', i)));
        } catch (IOException e) {
            return -1;
        }
    }

    private static long rss(long pid) {
        if (pid < 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    private double heapUsedMb() {
        double bytes = 0;
        for (String line : management.get("/q/metrics").split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                bytes += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return bytes / 1048576.0;
    }

    private void report(String scenario, Map<String, Object> results) throws IOException {
        StringBuilder json = new StringBuilder("{\"scenario\":\"").append(scenario).append("\",\"label\":\"")
                .append(arg("label", "")).append("\",\"time\":\"").append(Instant.now()).append('"');
        results.forEach((k, v) -> json.append(",\"").append(k).append("\":")
                .append(v instanceof Number || v instanceof Boolean ? v.toString() : "\"" + v + "\""));
        json.append('}');
        Path out = Path.of(arg("out", "target/bench/results.jsonl"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.println();
        System.out.println("scenario: " + scenario + (arg("label", "").isEmpty() ? "" : " (" + arg("label", "") + ")"));
        results.forEach((k, v) -> System.out.printf("  %-20s %s%n", k, v));
        System.out.println(json);
    }

    private String arg(String name, String fallback) {
        return args.getOrDefault(name, fallback);
    }

    private int intArg(String name, int fallback) {
        return Integer.parseInt(arg(name, String.valueOf(fallback)));
    }

    private static URI wsUri(String httpUrl) {
        URI u = URI.create(httpUrl);
        return URI.create((u.getScheme().equals("https") ? "wss" : "ws") + "://" + u.getHost() + ":" + u.getPort() + "/ws");
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static double round4(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    /** Warm-up, then the measured window, then stop. */
    private static final class Phase {
        private volatile int state; // 0 warm-up, 1 measuring, 2 stopped

        boolean measuring() {
            return state == 1;
        }

        boolean stopped() {
            return state == 2;
        }

        double run(int warmupSeconds, int seconds) throws InterruptedException {
            TimeUnit.SECONDS.sleep(warmupSeconds); // a benchmark phase is a span of time by definition
            state = 1;
            long start = System.nanoTime();
            TimeUnit.SECONDS.sleep(seconds);
            state = 2;
            return (System.nanoTime() - start) / 1e9;
        }
    }
}

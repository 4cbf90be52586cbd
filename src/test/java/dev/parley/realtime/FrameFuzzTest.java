package dev.parley.realtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.parley.testsupport.Frames;
import dev.parley.testsupport.FuzzInputs;
import dev.parley.testsupport.FuzzInputs.Input;
import dev.parley.testsupport.FuzzInputs.Verdict;
import dev.parley.testsupport.RawWebSocket;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WsClient;

/**
 * Thousands of generated frames ({@link FuzzInputs}) from one socket, with a bystander in the same
 * room. The seed is printed first; {@code -Dfuzz.seed=} and {@code -Dfuzz.inputs=} reproduce a run.
 */
@QuarkusTest
class FrameFuzzTest {

    /** docs/protocol.md, section 6, less {@code internal}. */
    private static final Set<String> DOCUMENTED = Set.of("bad_request", "unauthorized", "forbidden", "not_found", "conflict",
            "too_large", "rate_limited", "unavailable");
    private static final Set<String> ENTRIES = Set.of("message", "message.edited", "message.deleted", "reaction");
    private static final Set<String> STORING = Set.of("send", "edit", "delete", "react");

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void everyBadFrameGetsOneDocumentedErrorTheSocketStaysUpAndTheRoomSeesNothingOfIt() throws Exception {
        long seed = Long.getLong("fuzz.seed", new SecureRandom().nextLong());
        int count = Integer.getInteger("fuzz.inputs", 5_000);
        System.out.printf("FrameFuzzTest: seed %d, %d inputs; rerun with -Dfuzz.seed=%d -Dfuzz.inputs=%d%n", seed, count, seed, count);
        String rerun = "seed " + seed + " (-Dfuzz.seed=" + seed + "): ";
        long started = System.nanoTime();

        TestUser owner = TestUsers.create("bystander");
        TestUser fuzzer = TestUsers.create("fuzzer");
        String room = TestRooms.create(owner.token(), "public");
        String privateRoom = TestRooms.create(owner.token(), "private");
        long own = given().auth().oauth2(fuzzer.token()).contentType(ContentType.JSON).body(Map.of("text", "the fuzzer's own"))
                .post("/api/rooms/" + room + "/messages").then().statusCode(201).extract().jsonPath().getLong("seq");
        FuzzInputs inputs = new FuzzInputs(seed, new FuzzInputs.Context(room, privateRoom, fuzzer.token(), own));

        List<String> failures = new ArrayList<>();
        Set<Long> storedByFuzzer = new HashSet<>();
        List<Long> bystanderSeqs = new ArrayList<>();
        Map<String, Integer> verdicts = new HashMap<>();
        long firstLive;
        try (WsClient bystander = WsClient.connectWithHeader(ws, owner.token()); Socket socket = new Socket(ws, fuzzer.token())) {
            firstLive = bystander.subscribe(room, null).path("lastSeq").asLong() + 1;
            socket.send(List.of(Frames.frame("subscribe", "join", "room", room).getBytes(StandardCharsets.UTF_8)));
            assertThat(socket.answer("join").path("type").asText()).isEqualTo("ok");

            for (int i = 0; i < count && failures.size() < 20; i++) {
                Input input = inputs.next();
                verdicts.merge(input.verdict().name(), 1, Integer::sum);
                String fault = run(socket, input, storedByFuzzer);
                if (fault != null) {
                    failures.add(rerun + fault + "\n    input " + input);
                }
                if (i % 100 == 99) {
                    String text = "bystander " + i;
                    JsonNode ok = bystander.request(Frames.frame("send", "b" + i, "room", room, "text", text), "b" + i);
                    assertThat(ok.path("type").asText()).as(rerun + "the bystander's send after input %d: %s", i, ok).isEqualTo("ok");
                    long seq = ok.path("seq").asLong();
                    bystanderSeqs.add(seq);
                    bystander.awaitFrame(f -> "message".equals(f.path("type").asText()) && f.path("seq").asLong() == seq);
                }
            }
            assertThat(failures).as("inputs answered wrongly").isEmpty();
            socket.send(List.of("{\"type\":\"ping\",\"id\":\"last\"}".getBytes(StandardCharsets.UTF_8)));
            assertThat(socket.answer("last")).as(rerun + "the last ping").isNotNull();
            assertThat(socket.frames).as(rerun + "answers for one request id more than once")
                    .allSatisfy((id, answers) -> assertThat(answers).as(id).hasSize(1));
            assertThat(socket.frames.values().stream().flatMap(List::stream).filter(f -> "error".equals(f.path("type").asText())))
                    .as(rerun + "errors with an undocumented code").allMatch(f -> DOCUMENTED.contains(f.path("code").asText()));

            // the room's log as the bystander saw it live: its own messages, and the fuzzer's only where it was told ok
            long lastSeq = given().auth().oauth2(owner.token()).get("/api/rooms/" + room).then().statusCode(200)
                    .extract().jsonPath().getLong("lastSeq");
            bystander.awaitFrame(f -> ENTRIES.contains(f.path("type").asText()) && f.path("seq").asLong() == lastSeq);
            List<JsonNode> entries = bystander.frames().stream().filter(f -> ENTRIES.contains(f.path("type").asText())).toList();
            Set<Long> seen = new HashSet<>();
            for (JsonNode entry : entries) {
                long seq = entry.path("seq").asLong();
                seen.add(seq);
                String author = entry.path("user").path("id").asText();
                if (author.equals(owner.id())) {
                    assertThat(bystanderSeqs).as(rerun + "a bystander entry it did not send: %s", entry).contains(seq);
                } else {
                    assertThat(author).as(rerun + "an entry by someone else: %s", entry).isEqualTo(fuzzer.id());
                    assertThat(storedByFuzzer).as(rerun + "an entry of the fuzzer's that no ok announced: %s", entry).contains(seq);
                }
            }
            for (long seq = firstLive; seq <= lastSeq; seq++) {
                assertThat(seen).as(rerun + "the bystander missed seq %d", seq).contains(seq);
            }
            assertThat(bystander.frames()).as(rerun + "the bystander got an error")
                    .noneMatch(f -> "error".equals(f.path("type").asText()));
            assertThat(bystander.isOpen()).isTrue();
        }

        // a message over 1 MiB closes its socket with 1009 (the one documented close), and only that socket
        for (int i = 0; i < 3; i++) {
            Input input = inputs.oversizeClosing();
            try (RawWebSocket raw = RawWebSocket.open(ws, fuzzer.token())) {
                // read while writing: the server closes before it has read the whole message, and the
                // reset that follows would otherwise discard its close frame unread
                long sent = System.nanoTime();
                CompletableFuture<Integer> closed = CompletableFuture.supplyAsync(raw::awaitCloseCode);
                try {
                    send(raw, input.fragments());
                } catch (IOException e) {
                    // closed while the rest was still being written
                }
                // 1006: the server closed, but the reset it sent for the unread rest of the message
                // discarded its close frame on the way (TCP's doing, not the server's choice)
                assertThat(closed.get(30, TimeUnit.SECONDS)).as(rerun + input).isIn(1009, 1006);
                // and within seconds: RawWebSocket reports 1006 after 15 s of silence too
                assertThat(System.nanoTime() - sent).as(rerun + input).isLessThan(TimeUnit.SECONDS.toNanos(10));
            }
            verdicts.merge(input.verdict().name(), 1, Integer::sum);
        }
        System.out.printf("FrameFuzzTest: seed %d, %s inputs (%s), %d entries stored by valid fuzzed frames, %d s%n", seed,
                verdicts.values().stream().mapToInt(Integer::intValue).sum(), verdicts, storedByFuzzer.size(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    /** Sends one input and a ping behind it; returns what was wrong, or null. */
    private static String run(Socket socket, Input input, Set<Long> storedByFuzzer) throws IOException {
        socket.send(input.fragments());
        String barrier = "barrier-" + input.index();
        socket.send(List.of(("{\"type\":\"ping\",\"id\":\"" + barrier + "\"}").getBytes(StandardCharsets.UTF_8)));
        List<JsonNode> window = socket.until(f -> barrier.equals(f.path("id").asText(null)));
        if (window == null) {
            return "no pong after it: the socket is " + (socket.closed == null ? "silent" : "closed: " + socket.closed);
        }
        List<JsonNode> unattributed = window.stream()
                .filter(f -> "error".equals(f.path("type").asText()) && f.path("id").isNull()).toList();
        JsonNode answer;
        String id = "f-" + input.index();
        if (unattributed.size() > 1) {
            return "answered " + unattributed.size() + " times: " + unattributed;
        } else if (unattributed.size() == 1) {
            if (input.id() != null && input.verdict() == Verdict.BAD) {
                return "answered without its id: " + unattributed.get(0);
            }
            answer = unattributed.get(0);
        } else if (input.verdict() == Verdict.BAD && input.id() == null) {
            return "no error before the next frame's answer";
        } else if (input.type().equals("typing") && input.verdict() != Verdict.BAD) {
            answer = socket.frames.containsKey(id) ? socket.frames.get(id).get(0) : null; // success has no answer
        } else {
            answer = socket.answer(id);
            if (answer == null) {
                return "no answer";
            }
        }
        if (answer == null) {
            return null;
        }
        String type = answer.path("type").asText();
        if ("error".equals(type)) {
            String code = answer.path("code").asText();
            return DOCUMENTED.contains(code) ? null : "answered with code " + code + ": " + answer;
        }
        if (input.verdict() == Verdict.BAD) {
            return "accepted: " + answer;
        }
        if ("ok".equals(type) && STORING.contains(input.type()) && answer.hasNonNull("seq")) {
            storedByFuzzer.add(answer.path("seq").asLong());
        }
        return "ok".equals(type) || "pong".equals(type) ? null : "answered with " + answer;
    }

    private static void send(RawWebSocket raw, List<byte[]> fragments) throws IOException {
        if (fragments.size() == 1) {
            raw.sendTextBytes(fragments.get(0));
            return;
        }
        for (int i = 0; i < fragments.size(); i++) {
            raw.sendFragment(fragments.get(i), i == 0, i == fragments.size() - 1);
        }
    }

    /** The fuzzer's socket: a raw one (any bytes go out), read by a thread of its own. */
    private static final class Socket implements AutoCloseable {
        private final RawWebSocket raw;
        private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        /** Every answer by request id, as they were taken from the queue. */
        final Map<String, List<JsonNode>> frames = new HashMap<>();
        volatile String closed;
        private final Thread reader;

        Socket(URI ws, String token) {
            raw = RawWebSocket.open(ws, token);
            reader = new Thread(this::read, "fuzz-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            while (closed == null) {
                try {
                    received.add(Frames.parse(raw.readText()));
                } catch (SocketTimeoutException e) {
                    // quiet for a while: keep reading
                } catch (IOException | RuntimeException e) {
                    closed = String.valueOf(e.getMessage());
                }
            }
        }

        void send(List<byte[]> fragments) throws IOException {
            FrameFuzzTest.send(raw, fragments);
        }

        /** The frames taken until one matches (included); null if none comes within 15 s. */
        List<JsonNode> until(Predicate<JsonNode> match) {
            List<JsonNode> taken = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode f;
                try {
                    f = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
                if (f == null) {
                    return null;
                }
                taken.add(f);
                if (f.hasNonNull("id")) {
                    frames.computeIfAbsent(f.path("id").asText(), k -> new ArrayList<>()).add(f);
                }
                if (match.test(f)) {
                    return taken;
                }
            }
            return null;
        }

        /** The answer to request {@code id}, taken already or awaited. */
        JsonNode answer(String id) {
            if (frames.containsKey(id)) {
                return frames.get(id).get(0);
            }
            List<JsonNode> taken = until(f -> id.equals(f.path("id").asText(null)));
            return taken == null ? null : taken.get(taken.size() - 1);
        }

        @Override
        public void close() {
            closed = "closed by the test";
            raw.close();
        }
    }
}

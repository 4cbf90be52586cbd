package dev.parley.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.Frames;
import dev.parley.testsupport.ParleyProcess;
import dev.parley.testsupport.RawWebSocket;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WsClient;

/**
 * No frame and no way of disconnecting stops an instance from serving the others. Each attack runs
 * against one real instance (its own JVM, production mode) while a bystander stays connected; after
 * it, the bystander still talks, a new client is answered within a second, the CPU returns to idle
 * and the log has grown by a bounded number of lines.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InstanceStaysUpIT {

    private static final String DATABASE = "parley_it_staysup";
    private static final int ROOM_SIZE = 300;
    private static final int LOG_LINES_PER_ATTACK = 20;

    private ParleyProcess instance;
    private TestUser attacker;
    private TestUser bystander;
    private String room;
    private WsClient watcher;

    @BeforeAll
    void startInstance() {
        DatabaseTestResource.recreate(DATABASE);
        instance = ParleyProcess.start("staysup", ParleyProcess.environment(DATABASE));
        attacker = instance.register("attacker");
        bystander = instance.register("bystander");
        room = instance.createRoom(bystander.token());
        try (WsClient filler = WsClient.connectWithHeader(instance.ws(), bystander.token())) {
            for (int i = 0; i < ROOM_SIZE; i++) {
                filler.send(Frames.frame("send", "fill-" + i, "room", room, "text", "message " + i));
            }
            filler.awaitFrame(f -> ("fill-" + (ROOM_SIZE - 1)).equals(f.path("id").asText()));
        }
        watcher = WsClient.connectWithHeader(instance.ws(), bystander.token());
        watcher.subscribe(room, null);
    }

    @AfterAll
    void stopInstance() {
        ParleyProcess.stopAll(watcher, instance);
    }

    @Test
    void aMessageOfOneMebibytePlusOneByteIsClosedWith1009() throws Exception {
        int logLines = logLines();
        try (WsClient client = WsClient.connectWithHeader(instance.ws(), attacker.token())) {
            client.send("x".repeat(1024 * 1024 + 1));
            assertThat(client.awaitClose()).isEqualTo(1009);
        }
        // the same as fragments adding up past the limit, the way Vert.x aggregates them
        try (WsClient probe = WsClient.connectWithHeader(instance.ws(), attacker.token());
                RawWebSocket raw = RawWebSocket.open(instance.ws(), attacker.token())) {
            byte[] piece = new byte[64 * 1024];
            Arrays.fill(piece, (byte) 'y');
            raw.sendFragment(piece, true, false);
            for (int i = 1; i < 16; i++) {
                raw.sendFragment(piece, false, false);
            }
            raw.sendFragment(new byte[] {'z'}, false, true);
            assertThat(raw.awaitCloseCode()).isEqualTo(1009);
            assertThat(probe.request(Frames.frame("ping", "p"), "p").path("type").asText()).isEqualTo("pong");
        }
        assertStillServing(logLines);
    }

    @Test
    void hundredsOfSocketsCuttingTheConnectionMidAnswerOnEveryEventLoop() throws Exception {
        int logLines = logLines();
        int sockets = 400;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> storm = new ArrayList<>();
            for (int i = 0; i < sockets; i++) {
                boolean reset = i % 2 == 0;
                storm.add(pool.submit(() -> {
                    RawWebSocket raw = RawWebSocket.open(instance.ws(), attacker.token());
                    // a replay of the whole room, a full history page and a send: much to write back
                    raw.sendText(Frames.frame("subscribe", "s", "room", room, "since", 0));
                    raw.sendText(Frames.frame("history", "h", "room", room, "limit", 200));
                    raw.sendText(Frames.frame("send", "m", "room", room, "text", "leaving"));
                    Thread.sleep(ThreadLocalRandom.current().nextInt(31));
                    if (reset) {
                        raw.reset();
                    } else {
                        raw.close();
                    }
                    return null;
                }));
            }
            for (Future<?> f : storm) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertStillServing(logLines);
    }

    @Test
    void thousandsOfIdleSocketsClosingAtOnce() throws Exception {
        int logLines = logLines();
        List<RawWebSocket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 3000; i++) {
                RawWebSocket raw = RawWebSocket.open(instance.ws(), attacker.token());
                if (i % 10 == 0) {
                    raw.sendText(Frames.frame("subscribe", "s", "room", room));
                }
                idle.add(raw);
            }
        } finally {
            for (int i = 0; i < idle.size(); i++) {
                if (i % 2 == 0) {
                    idle.get(i).reset();
                } else {
                    idle.get(i).close();
                }
            }
        }
        assertStillServing(logLines);
    }

    private void assertStillServing(int logLinesBefore) {
        // the bystander, connected throughout, still sends and receives in its room
        String id = "after-" + System.nanoTime();
        JsonNode ok = watcher.request(Frames.frame("send", id, "room", room, "text", "still here"), id);
        assertThat(ok.path("type").asText()).as("answer to the bystander: %s", ok).isEqualTo("ok");
        long seq = ok.path("seq").asLong();
        watcher.awaitFrame(f -> "message".equals(f.path("type").asText()) && f.path("seq").asLong() == seq);

        // the instance's CPU returns to idle: under a fifth of a core over a second
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
            Duration before = instance.cpuTime();
            Thread.sleep(1000); // a measuring window, not a wait for an outcome
            return instance.cpuTime().minus(before).toMillis() < 200;
        });

        // a new client is answered within a second
        long start = System.nanoTime();
        try (WsClient fresh = WsClient.connectWithHeader(instance.ws(), bystander.token())) {
            assertThat(fresh.request(Frames.frame("ping", "p"), "p").path("type").asText()).isEqualTo("pong");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));

        assertThat(logLines() - logLinesBefore).as("log lines written during the attack:\n%s", instance.log())
                .isLessThanOrEqualTo(LOG_LINES_PER_ATTACK);
    }

    private int logLines() {
        return (int) instance.log().lines().count();
    }
}

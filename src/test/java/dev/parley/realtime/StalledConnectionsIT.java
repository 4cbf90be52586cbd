package dev.parley.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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
 * Stalled connections are closed, against a real instance with short limits (request-timeout 2 s,
 * socket-idle 3 s, so a ping after 1 s of silence), while a bystander keeps talking in its room:
 * a half-sent request, headers trickled one byte per 500 ms, a WebSocket that answers no ping, a
 * message in fragments that never ends (its pings answered), a frame whose bytes never come. A chat
 * client that answers pings but sends nothing stays open. Then thousands of half-sent requests at
 * once (2,000 here; {@code -Dparley.stalled.sockets=15000} for the figures in docs/security.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StalledConnectionsIT {

    private static final String DATABASE = "parley_it_stalled";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SOCKET_IDLE = Duration.ofSeconds(3);
    private static final int IDLE_CLOSE = 1001;
    // what the clock on the server may add to a deadline, and this machine's scheduling noise
    private static final Duration SLACK = Duration.ofSeconds(2);

    private ParleyProcess instance;
    private TestUser user;
    private String room;
    private WsClient bystander;

    @BeforeAll
    void startInstance() {
        DatabaseTestResource.recreate(DATABASE);
        Map<String, String> env = ParleyProcess.environment(DATABASE);
        env.put("PARLEY_LIMITS_REQUEST_TIMEOUT", "PT2S");
        env.put("PARLEY_LIMITS_SOCKET_IDLE", "PT3S");
        instance = ParleyProcess.start("stalled", env);
        user = instance.register("stall");
        room = instance.createRoom(user.token());
        bystander = WsClient.connectWithHeader(instance.ws(), user.token());
        bystander.subscribe(room, null);
    }

    @AfterAll
    void stopInstance() {
        ParleyProcess.stopAll(bystander, instance);
    }

    @Test
    void aHalfSentRequestIsClosedAtTheDeadline() throws Exception {
        try (Socket headers = send("POST /api/auth/login HTTP/1.1\r\nHost: parley\r\nContent-Type: application/json\r\n");
                Socket body = send("POST /api/auth/login HTTP/1.1\r\nHost: parley\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n{\"name\":")) {
            long start = System.nanoTime();
            assertClosedByServer(headers);
            assertClosedByServer(body);
            assertThat(since(start)).isBetween(REQUEST_TIMEOUT.minusMillis(500), REQUEST_TIMEOUT.plus(SLACK));
        }
        assertBystanderTalks();
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheDeadline() throws Exception {
        try (Socket silent = new Socket("127.0.0.1", port())) {
            long start = System.nanoTime();
            assertClosedByServer(silent);
            assertThat(since(start)).isLessThan(REQUEST_TIMEOUT.plus(SLACK));
        }
    }

    @Test
    void headersTrickledOneBytePerHalfSecondAreClosedAtTheDeadline() throws Exception {
        try (Socket loris = send("GET /api/auth/options HTTP/1.1\r\nHost: parley\r\nX-Slow: ")) {
            long start = System.nanoTime();
            // an idle timeout never fires on this: a byte comes every 500 ms
            assertThat(trickleUntilClosed(loris, new byte[] {'a'})).as("closed by the server").isTrue();
            assertThat(since(start)).isLessThan(REQUEST_TIMEOUT.plus(SLACK));
        }
        assertBystanderTalks();
    }

    @Test
    void anUploadThatKeepsAPoorLinksPaceOutlivesTheDeadline() throws Exception {
        // 160 KiB at 40 KiB/s: four seconds, twice the deadline, above its 16 KiB/s minimum pace
        byte[] file = new byte[160 * 1024];
        Arrays.fill(file, (byte) 'u');
        String boundary = "parleyupload";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        long length = head.length + file.length + tail.length;
        try (Socket upload = send("POST /api/rooms/" + room + "/attachments HTTP/1.1\r\nHost: parley\r\n"
                + "Authorization: Bearer " + user.token() + "\r\nContent-Type: multipart/form-data; boundary=" + boundary
                + "\r\nContent-Length: " + length + "\r\n\r\n")) {
            OutputStream out = upload.getOutputStream();
            long start = System.nanoTime();
            out.write(head);
            for (int sent = 0; sent < file.length; sent += 4096) {
                out.write(file, sent, 4096);
                out.flush();
                // the slow link's pace: 100 ms between pieces, during which the server must not close
                assertThat(closedByServer(upload, 100)).as("closed mid-upload after %s", since(start)).isFalse();
            }
            out.write(tail);
            out.flush();
            assertThat(since(start)).isGreaterThan(REQUEST_TIMEOUT.plus(Duration.ofSeconds(1)));
            assertThat(readResponseHead(upload)).startsWith("HTTP/1.1 201");
        }
    }

    @Test
    void aBodyTrickledBelowTheMinimumPaceIsClosed() throws Exception {
        try (Socket trickle = send("POST /api/auth/login HTTP/1.1\r\nHost: parley\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100000\r\n\r\n")) {
            long start = System.nanoTime();
            // 200 bytes/s: each byte buys 61 µs, far less than the time it took to come
            assertThat(trickleUntilClosed(trickle, new byte[100])).as("closed by the server").isTrue();
            assertThat(since(start)).isLessThan(REQUEST_TIMEOUT.plus(SLACK));
        }
        assertBystanderTalks();
    }

    @Test
    void aCompleteRequestIsAnsweredAndTheKeepAliveConnectionServesTheNext() throws Exception {
        try (Socket client = send("GET /api/auth/options HTTP/1.1\r\nHost: parley\r\n\r\n")) {
            assertThat(readResponseHead(client)).startsWith("HTTP/1.1 200");
            // the deadline of the first request ended with it: the connection waits, idle, for the next
            await().during(REQUEST_TIMEOUT.plus(SLACK)).atMost(REQUEST_TIMEOUT.plus(SLACK).plus(SLACK))
                    .until(() -> !closedByServer(client, 10));
            client.getOutputStream().write("GET /api/auth/options HTTP/1.1\r\nHost: parley\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(readResponseHead(client)).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aWebSocketThatAnswersNoPingIsClosedWith1001() {
        try (RawWebSocket mute = RawWebSocket.open(instance.ws(), user.token())) {
            long start = System.nanoTime();
            assertThat(mute.awaitCloseCode()).isEqualTo(IDLE_CLOSE);
            assertThat(mute.pingsSeen()).as("pings before the close").isGreaterThanOrEqualTo(1);
            assertThat(since(start)).isBetween(SOCKET_IDLE.minusMillis(500), SOCKET_IDLE.plus(SLACK));
        }
        assertBystanderTalks();
    }

    @Test
    void aChatClientThatAnswersPingsButSendsNothingStaysOpen() throws Exception {
        try (WsClient quiet = WsClient.connectWithHeader(instance.ws(), user.token());
                RawWebSocket mute = RawWebSocket.open(instance.ws(), user.token())) {
            quiet.subscribe(room, null);
            long start = System.nanoTime();
            // the mute one, opened with it, is closed at socket-idle: the clock ran for both
            assertThat(mute.awaitCloseCode()).isEqualTo(IDLE_CLOSE);
            await().during(SOCKET_IDLE).atMost(SOCKET_IDLE.plus(SLACK)).until(quiet::isOpen);
            assertThat(since(start)).isGreaterThan(SOCKET_IDLE.multipliedBy(2));
            // and it still receives its room's events and is answered
            String id = "quiet-" + System.nanoTime();
            JsonNode ok = bystander.request(Frames.frame("send", id, "room", room, "text", "to the quiet one"), id);
            long seq = ok.path("seq").asLong();
            quiet.awaitFrame(f -> "message".equals(f.path("type").asText()) && f.path("seq").asLong() == seq);
            assertThat(quiet.request(Frames.frame("ping", "p"), "p").path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void aMessageInFragmentsThatNeverEndsIsClosedThoughItsPingsAreAnswered() throws Exception {
        try (RawWebSocket fragments = RawWebSocket.open(instance.ws(), user.token())) {
            fragments.sendFragment("{\"type\":\"ping\",".getBytes(StandardCharsets.UTF_8), true, false);
            long start = System.nanoTime();
            assertThat(fragments.awaitCloseCodeAnsweringPings()).isEqualTo(IDLE_CLOSE);
            assertThat(fragments.pingsSeen()).as("pings answered before the close").isGreaterThanOrEqualTo(1);
            assertThat(since(start)).isLessThan(SOCKET_IDLE.plus(SLACK));
        }
        assertBystanderTalks();
    }

    @Test
    void aFrameWhoseBytesNeverComeIsClosed() throws Exception {
        try (RawWebSocket unfinished = RawWebSocket.open(instance.ws(), user.token())) {
            unfinished.sendUnfinishedFrame(1000, 10);
            long start = System.nanoTime();
            assertThat(unfinished.awaitCloseCode()).isEqualTo(IDLE_CLOSE);
            assertThat(since(start)).isLessThan(SOCKET_IDLE.plus(SLACK));
        }
        assertBystanderTalks();
    }

    /**
     * Thousands of half-sent requests at once, against an instance with the default deadline (30 s),
     * which outlasts opening them all: a new client is served meanwhile, and every one is closed after
     * it. They are opened as fast as the instance accepts them, a thousand at a time: past the
     * kernel's accept backlog (4,096 here) a connection the client thinks open is not yet the server's.
     */
    @Test
    void thousandsOfHalfSentRequestsAreHeldThenReclaimed() throws Exception {
        int count = Integer.getInteger("parley.stalled.sockets", 2000);
        Map<String, String> env = ParleyProcess.environment(DATABASE);
        env.put("PARLEY_LIMITS_REQUEST_TIMEOUT", "PT30S");
        ParleyProcess flood = ParleyProcess.start("stalled-flood", env);
        List<Socket> stalled = new ArrayList<>(count);
        try {
            int filesBefore = flood.openFiles();
            long memoryBefore = flood.residentMiB();
            long start = System.nanoTime();
            byte[] half = ("POST /api/auth/login HTTP/1.1\r\nHost: parley\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < count; i++) {
                Socket s = new Socket("127.0.0.1", Integer.parseInt(flood.baseUrl().replaceAll(".*:", "")));
                s.getOutputStream().write(half);
                stalled.add(s);
                if (stalled.size() % 1000 == 0 || stalled.size() == count) {
                    int opened = stalled.size();
                    await().atMost(Duration.ofSeconds(20)).until(() -> flood.openFiles() >= filesBefore + opened);
                }
            }
            Duration opening = since(start);
            int filesHeld = flood.openFiles();
            long memoryHeld = flood.residentMiB();

            // a new client is served while they are all held
            long served = System.nanoTime();
            TestUser newcomer = flood.register("newcomer");
            try (WsClient fresh = WsClient.connectWithHeader(flood.ws(), newcomer.token())) {
                assertThat(fresh.request(Frames.frame("ping", "p"), "p").path("type").asText()).isEqualTo("pong");
            }
            Duration newClient = since(served);

            // every one is closed by the server after its deadline
            for (Socket s : stalled) {
                s.setSoTimeout(60_000);
                assertClosedByServer(s);
            }
            Duration reclaimed = since(start);
            await().atMost(Duration.ofSeconds(10)).until(() -> flood.openFiles() < filesBefore + 50);
            System.out.printf("stalled sockets: %d opened in %d ms; instance fds %d -> %d, RSS %d -> %d MiB; "
                    + "new client registered and answered in %d ms; all closed by the server %d ms after the first "
                    + "opened; fds back to %d%n", count, opening.toMillis(), filesBefore, filesHeld, memoryBefore,
                    memoryHeld, newClient.toMillis(), reclaimed.toMillis(), flood.openFiles());
            assertThat(reclaimed).isGreaterThan(Duration.ofSeconds(29));
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
            flood.close();
        }
    }

    private void assertBystanderTalks() {
        String id = "bystander-" + System.nanoTime();
        JsonNode ok = bystander.request(Frames.frame("send", id, "room", room, "text", "still here"), id);
        assertThat(ok.path("type").asText()).as("answer to the bystander: %s", ok).isEqualTo("ok");
        long seq = ok.path("seq").asLong();
        bystander.awaitFrame(f -> "message".equals(f.path("type").asText()) && f.path("seq").asLong() == seq);
    }

    private int port() {
        return Integer.parseInt(instance.baseUrl().replaceAll(".*:", ""));
    }

    private Socket send(String bytes) throws IOException {
        Socket socket = new Socket("127.0.0.1", port());
        socket.setSoTimeout((int) REQUEST_TIMEOUT.plus(SLACK).plus(SLACK).toMillis());
        socket.getOutputStream().write(bytes.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** Reads until the server closes; fails if it answers anything or the socket's read timeout passes first. */
    private static void assertClosedByServer(Socket socket) throws IOException {
        if (socket.getSoTimeout() == 0) {
            socket.setSoTimeout(10_000);
        }
        try {
            assertThat(socket.getInputStream().read()).as("the server answered instead of closing").isEqualTo(-1);
        } catch (SocketException e) {
            // a reset is a close too
        }
    }

    /**
     * Writes {@code piece} every 500 ms, the attacker's pace, waiting between writes for the server to
     * close the socket; true once it has, false if it is still open after the deadline and twice the slack.
     */
    private static boolean trickleUntilClosed(Socket socket, byte[] piece) throws IOException {
        long start = System.nanoTime();
        OutputStream out = socket.getOutputStream();
        while (since(start).compareTo(REQUEST_TIMEOUT.plus(SLACK).plus(SLACK)) < 0) {
            try {
                out.write(piece);
                out.flush();
            } catch (SocketException e) {
                return true;
            }
            int timeout = socket.getSoTimeout();
            socket.setSoTimeout(500);
            try {
                assertThat(socket.getInputStream().read()).as("the server answered instead of closing").isEqualTo(-1);
                return true;
            } catch (SocketTimeoutException e) {
                // still open: the next piece
            } catch (SocketException e) {
                return true; // a reset is a close too
            } finally {
                socket.setSoTimeout(timeout);
            }
        }
        return false;
    }

    /** Whether the server closed the socket within {@code millis}. */
    private static boolean closedByServer(Socket socket, int millis) throws IOException {
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        } finally {
            socket.setSoTimeout(timeout);
        }
    }

    private static String readResponseHead(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        int b;
        while (head.indexOf("\r\n\r\n") < 0 && (b = in.read()) >= 0) {
            head.append((char) b);
        }
        String text = head.toString();
        if (text.toLowerCase().contains("transfer-encoding: chunked")) {
            StringBuilder body = new StringBuilder();
            while (body.indexOf("\r\n0\r\n\r\n") < 0 && !body.toString().startsWith("0\r\n\r\n") && (b = in.read()) >= 0) {
                body.append((char) b);
            }
            return text;
        }
        int length = text.toLowerCase().contains("content-length:")
                ? Integer.parseInt(text.toLowerCase().replaceAll("(?s).*content-length:\\s*(\\d+).*", "$1")) : 0;
        in.readNBytes(length);
        return text;
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}

package dev.parley.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.Frames;
import dev.parley.testsupport.ParleyProcess;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WsClient;

/**
 * A real instance (its own JVM, from the packaged application) receiving SIGTERM, as Kubernetes
 * sends it, while clients are connected and sends are in flight.
 */
class GracefulShutdownIT {

    private static final String DATABASE = "parley_it_shutdown";
    private static final int SENDS = 200;

    @Test
    void shutdownAnswersWhatItTookClosesEverySocketWithGoingAwayAndLosesNothingAcknowledged() throws Exception {
        DatabaseTestResource.recreate(DATABASE);
        String room;
        Map<String, Long> acknowledged = new HashMap<>();
        try (ParleyProcess instance = ParleyProcess.start("shutdown", ParleyProcess.environment(DATABASE))) {
            TestUser alice = instance.register("alice");
            TestUser bob = instance.register("bob");
            room = instance.createRoom(alice.token());
            try (WsClient sender = WsClient.connectWithHeader(instance.ws(), alice.token());
                    WsClient listener = WsClient.connectWithHeader(instance.ws(), bob.token())) {
                sender.subscribe(room, null);
                listener.subscribe(room, null);
                for (int i = 0; i < SENDS; i++) {
                    sender.send(Frames.frame("send", "send-" + i, "room", room, "text", "m" + i, "clientMsgId", "c" + i));
                }
                instance.terminate();

                // 1001 (going away) tells clients to reconnect elsewhere; before the drain they sat out the
                // 20 s shutdown timeout and then got 1000
                assertThat(sender.awaitClose()).isEqualTo(1001);
                assertThat(listener.awaitClose()).isEqualTo(1001);

                for (JsonNode answer : sender.frames()) {
                    String id = answer.path("id").asText("");
                    if (!id.startsWith("send-")) {
                        continue;
                    }
                    if ("ok".equals(answer.path("type").asText())) {
                        acknowledged.put("c" + id.substring("send-".length()), answer.path("seq").asLong());
                    } else {
                        // taken after the drain began: refused, nothing stored, safe to retry elsewhere
                        assertThat(answer.path("code").asText()).as(answer.toString()).isEqualTo("unavailable");
                    }
                }
            }
            assertThat(instance.awaitExit(Duration.ofSeconds(40))).as("the instance exits").isTrue();
            assertThat(instance.log()).contains("closed 2 WebSocket connections with 1001")
                    .doesNotContain("Timed out waiting for graceful shutdown");
        }

        // every acknowledged send is stored with the seq it was acknowledged with, and nothing else is
        Map<String, Long> stored = new HashMap<>();
        try (Connection db = DatabaseTestResource.connect(DATABASE);
                PreparedStatement query = db.prepareStatement("select client_msg_id, seq from messages where room_id = ?")) {
            query.setString(1, room);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    stored.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        assertThat(acknowledged).isNotEmpty();
        assertThat(stored).isEqualTo(acknowledged);
    }

    /**
     * Quarkus waits for REST requests in flight at SIGTERM (quarkus.shutdown.timeout, 20 s), and for
     * nothing else: an upload still arriving is answered, and the instance stops as soon as it is,
     * though WebSockets were served before. (Quarkus 3.33 counted every upgraded request for ever, so
     * each stop sat out the 20 s and logged an ERROR.)
     */
    @Test
    void aRestRequestInFlightAtSigtermIsAnsweredAndTheInstanceStopsRightAfterIt() throws Exception {
        DatabaseTestResource.recreate(DATABASE);
        try (ParleyProcess instance = ParleyProcess.start("shutdown-rest", ParleyProcess.environment(DATABASE))) {
            TestUser alice = instance.register("alice");
            String room = instance.createRoom(alice.token());
            try (WsClient socket = WsClient.connectWithHeader(instance.ws(), alice.token())) {
                socket.subscribe(room, null);
            }

            String boundary = "parley-shutdown-test";
            byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n" + "x".repeat(4096)).getBytes(StandardCharsets.US_ASCII);
            byte[] tail = ("y".repeat(4096) + "\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
            URI base = URI.create(instance.baseUrl());
            try (Socket upload = new Socket(base.getHost(), base.getPort())) {
                upload.setSoTimeout(30_000);
                OutputStream out = upload.getOutputStream();
                out.write(("POST /api/rooms/" + room + "/attachments HTTP/1.1\r\nHost: " + base.getAuthority() + "\r\n"
                        + "Authorization: Bearer " + alice.token() + "\r\n"
                        + "Content-Type: multipart/form-data; boundary=" + boundary + "\r\n"
                        + "Content-Length: " + (head.length + tail.length) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(head);
                out.flush();

                long terminated = System.nanoTime();
                instance.terminate();
                // Quarkus says so once the drain is over and only the upload is left to wait for
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                        .until(() -> instance.log().contains("Waiting for HTTP requests to complete"));
                assertThat(instance.isAlive()).as("still waiting for the upload").isTrue();
                out.write(tail);
                out.flush();
                String status = new BufferedReader(new InputStreamReader(upload.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                assertThat(status).startsWith("HTTP/1.1 201");

                assertThat(instance.awaitExit(Duration.ofSeconds(40))).as("the instance exits").isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - terminated))
                        .as("stopped once the upload was answered, not at quarkus.shutdown.timeout (20 s)")
                        .isLessThan(Duration.ofSeconds(12));
            }
            assertThat(instance.log()).doesNotContain("Timed out waiting for graceful shutdown");
        }
    }
}

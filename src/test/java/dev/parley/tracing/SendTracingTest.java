package dev.parley.tracing;

import static dev.parley.testsupport.Frames.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.parley.testsupport.Frames;
import dev.parley.testsupport.RedisSubscriber;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

/**
 * With tracing on, one send is one trace from its frame to the delivery on another instance: the
 * frame's span, the group-commit batch that stored it (its child, or linked to it when the batch
 * served another traced send first), the publish (the frame's child), and, on an instance that
 * received the event through Redis, the delivery, whose parent is the publish. The receiving
 * instance is this one seeing the event as another instance's: the event Parley published to Redis
 * is published again, unchanged but for its origin, on the room's channel of the real Redis.
 */
@QuarkusTest
@TestProfile(TracingProfile.class)
class SendTracingTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Inject
    InMemorySpanExporter exporter;

    @Test
    void aSendIsOneTraceFromItsFrameToTheDeliveryOnAnotherInstance() {
        TestUsers.TestUser user = TestUsers.create("traced");
        String room = TestRooms.create(user.token(), "public");
        String channel = "parley:room:{" + room + "}";
        try (RedisSubscriber redis = RedisSubscriber.subscribe("127.0.0.1", 6379, channel);
                WsClient client = WsClient.connectWithHeader(ws, user.token())) {
            client.subscribe(room, null);
            JsonNode ok = client.request(frame("send", "s1", "room", room, "text", "traced"), "s1");
            assertThat(ok.path("type").asText()).as(ok.toString()).isEqualTo("ok");
            long seq = ok.path("seq").asLong();

            String published = await().atMost(Duration.ofSeconds(10))
                    .until(() -> redis.messages().stream().filter(m -> m.contains(" " + seq + " message ")).findFirst(),
                            Optional::isPresent)
                    .get();
            // another instance receives the same event: the payload as published, another origin
            String head = published.substring(0, published.indexOf(' '));
            RedisSubscriber.publish("127.0.0.1", 6379, channel,
                    "other-instance" + head.substring(originEnd(head)) + published.substring(head.length()));

            SpanData frameSpan = awaitSpan(s -> s.getName().equals("parley.frame send") && room.equals(attr(s, Tracing.ROOM)));
            assertThat(frameSpan.getKind()).isEqualTo(SpanKind.SERVER);
            assertThat(frameSpan.getAttributes().get(Tracing.FRAME_TYPE)).isEqualTo("send");
            String trace = frameSpan.getTraceId();

            SpanData batch = awaitSpan(s -> s.getName().equals("parley.batch.commit") && servedBy(s, frameSpan));
            assertThat(batch.getAttributes().get(Tracing.BATCH_SIZE)).isGreaterThanOrEqualTo(1L);

            SpanData publish = awaitSpan(s -> s.getName().equals("parley.publish") && room.equals(attr(s, Tracing.ROOM))
                    && Long.valueOf(seq).equals(s.getAttributes().get(Tracing.SEQ)));
            assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
            assertThat(publish.getTraceId()).isEqualTo(trace);
            assertThat(publish.getParentSpanId()).isEqualTo(frameSpan.getSpanId());

            SpanData deliver = awaitSpan(s -> s.getName().equals("parley.deliver") && room.equals(attr(s, Tracing.ROOM)));
            assertThat(deliver.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(deliver.getTraceId()).isEqualTo(trace);
            assertThat(deliver.getParentSpanId()).isEqualTo(publish.getSpanId());
            assertThat(deliver.getParentSpanContext().isRemote()).isTrue();
            assertThat(deliver.getAttributes().get(Tracing.SEQ)).isEqualTo(seq);
            // the publish's W3C traceparent rode on the event's origin
            assertThat(head.substring(originEnd(head))).startsWith("#00-" + trace + "-" + publish.getSpanId() + "-01@");
        }
    }

    /** A batch holds many sends: one span for it, a child of one send's frame and linked to the others. */
    @Test
    void sendsCommittedInOneBatchShareOneBatchSpanLinkedToEachSend() {
        TestUsers.TestUser user = TestUsers.create("batched");
        String room = TestRooms.create(user.token(), "public");
        int sends = 30;
        try (WsClient client = WsClient.connectWithHeader(ws, user.token())) {
            // pipelined: while the first send's batch is in flight the others wait for the room, and
            // leave together
            for (int i = 0; i < sends; i++) {
                client.send(frame("send", "b" + i, "room", room, "text", "batched " + i));
            }
            for (int i = 0; i < sends; i++) {
                String id = "b" + i;
                assertThat(client.awaitFrame(f -> id.equals(f.path("id").asText())).path("type").asText()).isEqualTo("ok");
            }
        }
        List<SpanData> frames = await().atMost(Duration.ofSeconds(10)).until(
                () -> spans(s -> s.getName().equals("parley.frame send") && room.equals(attr(s, Tracing.ROOM))),
                found -> found.size() == sends);
        Set<String> frameIds = frames.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
        List<SpanData> batches = await().atMost(Duration.ofSeconds(10)).until(
                () -> spans(s -> s.getName().equals("parley.batch.commit") && frameIds.contains(s.getParentSpanId())),
                found -> found.stream().mapToLong(b -> b.getAttributes().get(Tracing.BATCH_TRACED)).sum() >= sends);
        SpanData shared = batches.stream().filter(b -> b.getAttributes().get(Tracing.BATCH_TRACED) >= 2).findFirst()
                .orElseThrow(() -> new AssertionError("no batch held two of the sends: " + batches));
        assertThat(shared.getLinks()).hasSize(shared.getAttributes().get(Tracing.BATCH_TRACED).intValue() - 1);
        for (LinkData link : shared.getLinks()) {
            assertThat(frameIds).contains(link.getSpanContext().getSpanId());
            assertThat(link.getSpanContext().getSpanId()).isNotEqualTo(shared.getParentSpanId());
        }
        // every send is served by exactly one batch span: as its parent or through a link
        for (SpanData f : frames) {
            assertThat(batches.stream().filter(b -> servedBy(b, f)).count()).as(f.getSpanId()).isEqualTo(1);
        }
    }

    /** The JSON log lines written while a frame is handled carry its trace and span ids. */
    @Test
    void aLogLineOfATracedFrameCarriesItsTraceId() throws IOException {
        TestUsers.TestUser user = TestUsers.create("logged");
        String nowhere = UUID.randomUUID().toString();
        try (WsClient client = WsClient.connectWithHeader(ws, user.token())) {
            JsonNode refused = client.request(frame("send", "l1", "room", nowhere, "text", "to nowhere"), "l1");
            assertThat(refused.path("code").asText()).as(refused.toString()).isEqualTo("not_found");
        }
        SpanData frameSpan = awaitSpan(s -> s.getName().equals("parley.frame send") && nowhere.equals(attr(s, Tracing.ROOM)));
        assertThat(frameSpan.getAttributes().get(Tracing.ERROR_CODE)).isEqualTo("not_found");
        JsonNode line = await().atMost(Duration.ofSeconds(10)).until(() -> logLines().stream()
                .filter(l -> l.path("message").asText().startsWith("Refused a frame: not_found")
                        && frameSpan.getTraceId().equals(l.path("mdc").path("traceId").asText()))
                .findFirst(), Optional::isPresent).get();
        assertThat(line.path("mdc").path("spanId").asText()).isEqualTo(frameSpan.getSpanId());
        assertThat(line.path("level").asText()).isEqualTo("DEBUG");
    }

    private static List<JsonNode> logLines() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(TracingProfile.LOG_FILE))) {
            if (line.startsWith("{")) {
                lines.add(Frames.parse(line));
            }
        }
        return lines;
    }

    // the batch span is the frame's child, or links to it
    private static boolean servedBy(SpanData batch, SpanData frame) {
        if (batch.getParentSpanId().equals(frame.getSpanId()) && batch.getTraceId().equals(frame.getTraceId())) {
            return true;
        }
        for (LinkData link : batch.getLinks()) {
            SpanContext linked = link.getSpanContext();
            if (linked.getSpanId().equals(frame.getSpanId()) && linked.getTraceId().equals(frame.getTraceId())) {
                return true;
            }
        }
        return false;
    }

    private SpanData awaitSpan(Predicate<SpanData> match) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> spans(match), found -> !found.isEmpty()).get(0);
    }

    private List<SpanData> spans(Predicate<SpanData> match) {
        return exporter.getFinishedSpanItems().stream().filter(match).toList();
    }

    private static String attr(SpanData span, AttributeKey<String> key) {
        return span.getAttributes().get(key);
    }

    // where the instance id ends in an event's first field: at its trace, its commit time, or the end
    private static int originEnd(String head) {
        for (int i = 0; i < head.length(); i++) {
            if (head.charAt(i) == '#' || head.charAt(i) == '@') {
                return i;
            }
        }
        return head.length();
    }
}

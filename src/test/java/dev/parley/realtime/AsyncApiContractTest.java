package dev.parley.realtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.parley.auth.UserView;
import dev.parley.fanout.EventType;
import dev.parley.message.AttachmentView;
import dev.parley.message.LogEntryView;
import dev.parley.message.MessageView;
import dev.parley.presence.Presence;
import dev.parley.problem.ErrorCode;
import dev.parley.room.RoomEvents;
import dev.parley.room.RoomView;
import dev.parley.testsupport.AsyncApiSpec;
import dev.parley.testsupport.Frames;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

/**
 * The AsyncAPI document (META-INF/asyncapi.yaml) against the code, both ways. From the types: every
 * client frame type of {@link ClientFrame} and every event type of {@link EventType} has its message,
 * with exactly the fields of the record the code reads or writes (the answers of
 * {@link ServerFrame}, the events' payloads, the shared shapes), and the error codes are
 * {@link ErrorCode}'s. From a running Parley: every frame it writes in a conversation that reaches
 * every kind of answer and event validates against its message's schema (no field the document does
 * not name, every required one, the right JSON types), and every server message and every field of
 * the document shows up in those frames. The send budget of {@link TightLimitsProfile} makes a
 * {@code rate_limited} error (and its {@code retryAfterMs}) reachable.
 */
@QuarkusTest
@TestProfile(TightLimitsProfile.class)
class AsyncApiContractTest {

    private static final AsyncApiSpec SPEC = AsyncApiSpec.load();

    /** The records behind the ok answers, by the document's message. */
    private static final Map<String, Class<?>> ANSWERS = Map.of(
            "subscribed", ServerFrame.Subscribed.class,
            "unsubscribed", ServerFrame.RoomOnly.class,
            "sent", ServerFrame.Stored.class,
            "changed", ServerFrame.Changed.class,
            "readMarker", ServerFrame.ReadMarker.class,
            "historyPage", ServerFrame.Page.class,
            "reauthenticated", ServerFrame.Reauthenticated.class);

    /** The payloads the services publish, by the document's event message. */
    private static final Map<String, Class<?>> EVENTS = Map.ofEntries(
            Map.entry("messageEvent", MessageView.class),
            Map.entry("messageEditedEvent", LogEntryView.Edited.class),
            Map.entry("messageDeletedEvent", LogEntryView.Deleted.class),
            Map.entry("reactionEvent", LogEntryView.Reaction.class),
            Map.entry("typingEvent", ServerFrame.Typing.class),
            Map.entry("readEvent", RoomEvents.Read.class),
            Map.entry("presenceEvent", Presence.Change.class),
            Map.entry("memberJoinedEvent", RoomEvents.MemberEvent.class),
            Map.entry("memberLeftEvent", RoomEvents.MemberEvent.class),
            Map.entry("roomDeletedEvent", RoomEvents.RoomDeleted.class),
            Map.entry("roomAddedEvent", RoomEvents.RoomAdded.class),
            Map.entry("roomRemovedEvent", RoomEvents.RoomRemoved.class),
            Map.entry("roomActivityEvent", ServerFrame.Activity.class));

    /** The shapes inside frames, by the document's components/schemas name. */
    private static final Map<String, Class<?>> SHAPES = Map.of(
            "User", UserView.class,
            "Message", MessageView.class,
            "Attachment", AttachmentView.class,
            "Reaction", MessageView.ReactionView.class,
            "Room", RoomView.class);

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void everyClientFrameTypeIsDocumentedWithItsFieldsAndNoOther() {
        Map<String, Set<String>> code = new TreeMap<>();
        for (JsonSubTypes.Type t : ClientFrame.class.getAnnotation(JsonSubTypes.class).value()) {
            code.put(t.name(), with(components(t.value()), "type"));
        }
        Map<String, Set<String>> documented = new TreeMap<>();
        SPEC.requestsByType().forEach((type, op) -> documented.put(type, SPEC.fields(op.message())));
        assertThat(documented).as("client frames: the document (left) against ClientFrame (right)").isEqualTo(code);
    }

    @Test
    void everyEventTypeIsDocumentedWithThePayloadItsServiceWrites() {
        Set<String> codeTypes = Arrays.stream(EventType.values()).filter(t -> t != EventType.USER_REVOKED)
                .map(EventType::wire).collect(Collectors.toCollection(TreeSet::new));
        assertThat(new TreeSet<>(SPEC.eventsByType().keySet())).as("event types: the document against EventType")
                .isEqualTo(codeTypes);
        assertThat(new TreeSet<>(SPEC.eventsByType().values())).as("event messages with a payload record here")
                .isEqualTo(new TreeSet<>(EVENTS.keySet()));
        // member.joined and member.left share one record: together they must name its fields
        assertSameFields(EVENTS, Set.of("type"));
    }

    @Test
    void everyAnswerIsDocumentedWithTheFieldsOfItsRecord() {
        Set<String> okMessages = SPEC.serverMessages().stream().filter(m -> SPEC.typeOf(m).equals("ok"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(okMessages).as("the document's ok answers").isEqualTo(new TreeSet<>(ANSWERS.keySet()));
        Set<Class<?>> records = new HashSet<>(Arrays.asList(ServerFrame.class.getDeclaredClasses()));
        records.remove(ServerFrame.Typing.class); // events, checked with the events
        records.remove(ServerFrame.Activity.class);
        assertThat(new HashSet<>(ANSWERS.values())).as("every answer record of ServerFrame is documented")
                .isEqualTo(records);
        assertSameFields(ANSWERS, Set.of("type", "id"));
    }

    @Test
    void theSharedShapesAndTheErrorCodesAreTheCodes() {
        SHAPES.forEach((schema, record) -> {
            Set<String> documented = SPEC.schemaFields(schema);
            documented.remove("type"); // the message event's own, absent from history pages
            assertThat(documented).as("schema %s against %s", schema, record.getSimpleName()).isEqualTo(components(record));
        });
        assertThat(SPEC.schemaEnum("ErrorCode")).as("error codes")
                .isEqualTo(Arrays.stream(ErrorCode.values()).map(ErrorCode::wire).collect(Collectors.toCollection(TreeSet::new)));
    }

    @Test
    void everyExampleValidatesAgainstItsMessage() {
        Map<String, Set<String>> failures = new TreeMap<>();
        for (AsyncApiSpec.Operation op : SPEC.operations()) {
            List<String> messages = new ArrayList<>(op.replies());
            messages.add(op.message());
            for (String message : messages) {
                List<JsonNode> examples = SPEC.examples(message);
                if (examples.isEmpty()) {
                    failures.put(message, Set.of("has no example"));
                }
                for (JsonNode example : examples) {
                    Set<String> errors = SPEC.validate(message, example);
                    if (!errors.isEmpty()) {
                        failures.put(message + " " + example, errors);
                    }
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void theDocumentIsServedBesideTheOpenApiDocument() throws Exception {
        String served = given().get(AsyncApiDocument.PATH).then().statusCode(200)
                .contentType("application/yaml").extract().asString();
        try (var in = getClass().getClassLoader().getResourceAsStream(AsyncApiSpec.RESOURCE)) {
            assertThat(served).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void everyFrameARunningParleyWritesMatchesTheDocumentAndCoversIt() throws Exception {
        Conversation c = new Conversation();
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(alice.token(), "public");
        try (WsClient a = WsClient.connectWithHeader(ws, alice.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token());
                WsClient bobElsewhere = WsClient.connectWithHeader(ws, bob.token())) {
            c.ask(a, "subscribe", "room", room);
            c.ask(b, "subscribe", "room", room);
            awaitEvent(a, "member.joined", room);
            // bob's other connection, subscribed to nothing, follows his list of rooms
            awaitEvent(bobElsewhere, "room.added", room);
            awaitEvent(a, "presence", room);

            long first = c.ask(a, "send", "room", room, "text", "hello @" + bob.username(), "clientMsgId", "c-1").path("seq")
                    .asLong();
            long reply = c.ask(a, "send", "room", room, "text", "a reply", "replyTo", first).path("seq").asLong();
            given().auth().oauth2(alice.token()).multiPart("file", "plan.png", png(), "image/png").multiPart("text", "the plan")
                    .post("/api/rooms/" + room + "/attachments").then().statusCode(201);
            a.awaitFrame(f -> f.has("attachment"));

            c.ask(a, "edit", "room", room, "target", first, "text", "hello again @" + bob.username());
            c.ask(a, "react", "room", room, "target", first, "emoji", "👍", "on", true);
            c.ask(a, "react", "room", room, "target", first, "emoji", "👍", "on", true); // changes nothing: no seq
            c.ask(a, "edit", "room", room, "target", reply, "text", "an edited reply");
            c.ask(a, "delete", "room", room, "target", reply);
            awaitEvent(a, "message.deleted", room);

            c.tell(b, "typing", "room", room);
            awaitEvent(a, "typing", room);
            c.ask(b, "read", "room", room, "seq", first);
            awaitEvent(a, "read", room);
            awaitEvent(bobElsewhere, "read", room);
            bobElsewhere.awaitFrame(f -> f.path("type").asText().equals("room.activity") && f.has("target"));
            c.ask(a, "history", "room", room, "limit", 10);
            c.ask(a, "ping");
            c.ask(a, "auth", "token", TestUsers.login(alice.username()));
            a.send("{\"type\":\"no-such-type\"}");
            a.awaitFrame(f -> f.path("type").asText().equals("error") && f.path("id").isNull());

            try (WsClient replay = WsClient.connectWithHeader(ws, alice.token());
                    WsClient burst = WsClient.connectWithHeader(ws, alice.token())) {
                // the log replayed: messages in their current state, the edit of a message deleted since
                c.ask(replay, "subscribe", "room", room, "since", 0);
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    ids.add(c.tell(burst, "send", "room", room, "text", "burst " + i));
                }
                ids.forEach(id -> burst.awaitFrame(f -> id.equals(f.path("id").asText(null))));
                assertThat(burst.frames()).as("sends past the budget of TightLimitsProfile")
                        .anyMatch(f -> f.path("code").asText().equals("rate_limited"));
                c.ask(b, "unsubscribe", "room", room);
                a.awaitFrame(f -> f.path("type").asText().equals("presence") && f.path("status").asText().equals("offline"));
                given().auth().oauth2(alice.token()).delete("/api/rooms/" + room + "/members/" + bob.username()).then()
                        .statusCode(204);
                awaitEvent(a, "member.left", room);
                awaitEvent(bobElsewhere, "room.removed", room);
                given().auth().oauth2(alice.token()).delete("/api/rooms/" + room).then().statusCode(204);
                awaitEvent(a, "room.deleted", room);
                awaitEvent(a, "room.removed", room);

                c.check(a, b, bobElsewhere, replay, burst);
            }
        }
    }

    private static void awaitEvent(WsClient client, String type, String room) {
        // room.added carries the room's view, every other event the room's id
        client.awaitFrame(f -> f.path("type").asText().equals(type)
                && (f.path("room").isObject() ? f.path("room").path("id") : f.path("room")).asText().equals(room));
    }

    /**
     * The requests sent, by id, so that each answer is checked against the answers the document
     * gives its request; then every frame received, checked and counted.
     */
    private static final class Conversation {
        private final Map<String, String> requests = new ConcurrentHashMap<>();
        private final AtomicInteger ids = new AtomicInteger();

        /** Sends a request and returns its answer, which must be an ok (or the pong of a ping). */
        JsonNode ask(WsClient client, String type, Object... fields) {
            String id = "q" + ids.incrementAndGet();
            requests.put(id, type);
            JsonNode answer = client.request(Frames.frame(type, id, fields), id);
            assertThat(answer.path("type").asText()).as("answer to %s", answer).isIn("ok", "pong");
            return answer;
        }

        /** Sends a request without waiting for an answer; returns its id. */
        String tell(WsClient client, String type, Object... fields) {
            String id = "q" + ids.incrementAndGet();
            requests.put(id, type);
            client.send(Frames.frame(type, id, fields));
            return id;
        }

        void check(WsClient... clients) {
            Map<String, Set<String>> invalid = new TreeMap<>();
            Map<String, Set<String>> seenFields = new TreeMap<>();
            for (WsClient client : clients) {
                for (JsonNode frame : client.frames()) {
                    List<String> candidates = candidates(frame);
                    Map<String, Set<String>> errors = new LinkedHashMap<>();
                    String matched = null;
                    for (String message : candidates) {
                        Set<String> e = SPEC.validate(message, frame);
                        if (e.isEmpty()) {
                            matched = message;
                            break;
                        }
                        errors.put(message, e);
                    }
                    if (matched == null) {
                        invalid.put(frame.toString(), candidates.isEmpty() ? Set.of("no message of the document has this type")
                                : errors.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.toSet()));
                    } else {
                        Set<String> fields = seenFields.computeIfAbsent(matched, k -> new TreeSet<>());
                        frame.fieldNames().forEachRemaining(fields::add);
                    }
                }
            }
            assertThat(invalid).as("frames that do not match the document").isEmpty();
            Map<String, Set<String>> unseen = new TreeMap<>();
            for (String message : SPEC.serverMessages()) {
                Set<String> missing = SPEC.fields(message);
                missing.removeAll(seenFields.getOrDefault(message, Set.of()));
                if (!missing.isEmpty()) {
                    unseen.put(message, missing);
                }
            }
            assertThat(unseen).as("documented messages and fields that no frame carried").isEmpty();
        }

        // an answer can be only one of its request's answers; an event, the event of its type
        private List<String> candidates(JsonNode frame) {
            String type = frame.path("type").asText();
            String request = frame.path("id").isTextual() ? requests.get(frame.path("id").asText()) : null;
            if (type.equals("ok") || type.equals("error") || type.equals("pong")) {
                if (request == null) {
                    return SPEC.serverMessages().stream().filter(m -> SPEC.typeOf(m).equals("error") && type.equals("error"))
                            .toList();
                }
                AsyncApiSpec.Operation op = SPEC.requestsByType().get(request);
                return op.replies().stream().filter(m -> SPEC.typeOf(m).equals(type)).toList();
            }
            String event = SPEC.eventsByType().get(type);
            return event == null ? List.of() : List.of(event);
        }
    }

    /** For records shared by several messages, the union of the messages' fields is compared. */
    private static void assertSameFields(Map<String, Class<?>> messages, Set<String> framing) {
        Map<Class<?>, Set<String>> documented = new LinkedHashMap<>();
        messages.forEach((message, record) -> documented.computeIfAbsent(record, k -> new TreeSet<>())
                .addAll(SPEC.fields(message)));
        documented.forEach((record, fields) -> assertThat(fields)
                .as("%s: the document against %s", messages.entrySet().stream().filter(e -> e.getValue() == record)
                        .map(Map.Entry::getKey).sorted().toList(), record.getSimpleName())
                .isEqualTo(with(components(record), framing.toArray(String[]::new))));
    }

    private static Set<String> components(Class<?> record) {
        assertThat(record.isRecord()).as("%s is a record", record).isTrue();
        return Arrays.stream(record.getRecordComponents()).map(c -> c.getName())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> with(Set<String> fields, String... more) {
        Set<String> all = new TreeSet<>(fields);
        all.addAll(List.of(more));
        return all;
    }

    // the smallest PNG: a 1x1 image, so the attachment is kept as image/png
    private static byte[] png() {
        return Base64.getDecoder().decode(
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
    }
}

package dev.parley.nativeimage;

import static dev.parley.testsupport.Frames.frame;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.parley.auth.UserView;
import dev.parley.message.LogEntryView;
import dev.parley.message.MessageView;
import dev.parley.presence.Presence;
import dev.parley.realtime.ClientFrame;
import dev.parley.realtime.ServerFrame;
import dev.parley.room.RoomEvents;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WebhookReceiver;
import dev.parley.testsupport.WsClient;
import dev.parley.webhook.WebhookDelivery;

/**
 * The native image can reflect on every class Jackson binds. Every frame type, room event, presence
 * change and webhook delivery goes through the running application while {@link JacksonBindings}
 * records the Parley classes its mapper builds (de)serializers for; each must be in the reflection
 * configuration Quarkus generates for native-image (see {@link NativeBuildProfile}), with its
 * constructors, methods (records: their accessors and components) and fields. REST bodies are
 * registered by Quarkus from the resource signatures; frames, events, presence entries and
 * webhook bodies only by {@code @RegisterForReflection}.
 */
@QuarkusTest
@TestProfile(NativeBuildProfile.class)
class NativeReflectionTest {

    private static final String REFLECT_CONFIG = "META-INF/native-image/reflect-config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The payloads of the paths driven below: the recording must have seen each (else a path was missed). */
    private static final List<Class<?>> DRIVEN = List.of(
            ClientFrame.class, ClientFrame.Ping.class, ClientFrame.Auth.class, ClientFrame.Subscribe.class,
            ClientFrame.Unsubscribe.class, ClientFrame.Send.class, ClientFrame.History.class, ClientFrame.Typing.class,
            ClientFrame.Edit.class, ClientFrame.Delete.class, ClientFrame.React.class, ClientFrame.Read.class,
            ServerFrame.Subscribed.class, ServerFrame.ReadMarker.class, ServerFrame.RoomOnly.class, ServerFrame.Stored.class,
            ServerFrame.Changed.class, ServerFrame.Page.class, ServerFrame.Reauthenticated.class, ServerFrame.Typing.class,
            MessageView.class, MessageView.ReactionView.class, LogEntryView.Edited.class, LogEntryView.Deleted.class,
            LogEntryView.Reaction.class, RoomEvents.MemberEvent.class, RoomEvents.Read.class, RoomEvents.RoomDeleted.class,
            Presence.Change.class, UserView.class, WebhookDelivery.Payload.class);

    /** The classes whose nested records are the payloads of the WebSocket protocol's frames and events. */
    private static final List<Class<?>> PROTOCOL = List.of(ClientFrame.class, ServerFrame.class, LogEntryView.class,
            RoomEvents.class);

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void everyClassJacksonBindsOnAnyPathIsRegisteredForReflection() throws Exception {
        driveEveryPath();

        Set<String> bound = JacksonBindings.bound();
        assertThat(bound).as("classes bound by Jackson while driving every path")
                .containsAll(DRIVEN.stream().map(Class::getName).toList());
        assertThat(unregistered(bound)).as("""
                classes Jackson binds but the native image could not reflect on (constructors, methods, \
                fields): annotate each with @RegisterForReflection (or a class it is nested in)""").isEmpty();
    }

    @Test
    void everyPayloadRecordOfTheProtocolIsRegisteredForReflection() throws IOException {
        List<String> records = PROTOCOL.stream().flatMap(c -> Stream.of(c.getDeclaredClasses()))
                .filter(Class::isRecord).map(Class::getName).toList();
        assertThat(records).hasSizeGreaterThan(20);
        assertThat(unregistered(records)).as("protocol records the native image could not reflect on").isEmpty();
    }

    private void driveEveryPath() throws Exception {
        TestUser alice = TestUsers.create("alice");
        TestUser bob = TestUsers.create("bob");
        TestUser carol = TestUsers.create("carol");
        String room = TestRooms.create(alice.token(), "private");
        TestRooms.invite(alice.token(), room, bob.username());
        try (WebhookReceiver receiver = WebhookReceiver.start();
                WsClient a = WsClient.connectWithHeader(ws, alice.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            JsonPath bot = given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                    .body(Map.of("name", "Native", "webhookUrl", receiver.url("/hook"))).post("/api/bots")
                    .then().statusCode(201).extract().jsonPath();
            TestRooms.invite(alice.token(), room, bot.getString("username"));

            assertThat(a.request(frame("ping", "p"), "p").path("type").asText()).isEqualTo("pong");
            // presence goes through Redis in the test profile: user views stored there and read back
            a.subscribe(room, null);
            b.subscribe(room, null);
            a.awaitFrame(f -> presence(f, bob, "online"));

            long seq = ok(a, frame("send", "s1", "room", room, "text", "hello")).path("seq").asLong();
            b.awaitEvents("message", room, 1);
            await().atMost(Duration.ofSeconds(15)).until(() -> receiver.received().stream()
                    .anyMatch(r -> r.json().path("message").path("seq").asLong() == seq));

            ok(a, frame("edit", "e1", "room", room, "target", seq, "text", "hello, edited"));
            b.awaitEvents("message.edited", room, 1);
            ok(b, frame("react", "r1", "room", room, "target", seq, "emoji", "👍", "on", true));
            a.awaitEvents("reaction", room, 1);
            JsonNode page = ok(a, frame("history", "h1", "room", room));
            assertThat(page.path("messages").findValues("reactions")).isNotEmpty();
            long second = ok(a, frame("send", "s2", "room", room, "text", "soon gone")).path("seq").asLong();
            ok(a, frame("delete", "d1", "room", room, "target", second));
            b.awaitEvents("message.deleted", room, 1);

            b.send(frame("typing", "t1", "room", room)); // answered only when refused
            a.awaitEvents("typing", room, 1);
            ok(b, frame("read", "rd1", "room", room, "seq", seq));
            a.awaitEvents("read", room, 1);
            ok(a, frame("auth", "au1", "token", TestUsers.login(alice.username())));
            try (WsClient replay = WsClient.connectWithHeader(ws, bob.token())) {
                replay.subscribe(room, 0L);
                assertThat(replay.events("message.deleted", room)).isNotEmpty();
            }

            TestRooms.invite(alice.token(), room, carol.username());
            a.awaitEvents("member.joined", room, 1);
            given().auth().oauth2(carol.token()).delete("/api/rooms/" + room + "/members/" + carol.username())
                    .then().statusCode(204);
            a.awaitEvents("member.left", room, 1);
            ok(b, frame("unsubscribe", "u1", "room", room));
            a.awaitFrame(f -> presence(f, bob, "offline"));
            given().auth().oauth2(alice.token()).delete("/api/bots/" + bot.getString("id")).then().statusCode(204);
            given().auth().oauth2(alice.token()).delete("/api/rooms/" + room).then().statusCode(204);
            a.awaitEvents("room.deleted", room, 1);
        }
    }

    private static JsonNode ok(WsClient client, String frame) {
        JsonNode answer = client.request(frame, parseId(frame));
        assertThat(answer.path("type").asText()).as("answer to %s: %s", frame, answer).isEqualTo("ok");
        return answer;
    }

    private static String parseId(String frame) {
        try {
            return JSON.readTree(frame).path("id").asText();
        } catch (IOException e) {
            throw new IllegalArgumentException(frame, e);
        }
    }

    private static boolean presence(JsonNode frame, TestUser user, String status) {
        return "presence".equals(frame.path("type").asText()) && user.id().equals(frame.path("user").path("id").asText())
                && status.equals(frame.path("status").asText());
    }

    /** Each class not registered for full reflection, with what its registration lacks. */
    private static Map<String, String> unregistered(Iterable<String> classes) throws IOException {
        Map<String, Registration> registered = reflectConfig();
        Map<String, String> missing = new TreeMap<>();
        for (String name : classes) {
            Registration r = registered.get(name);
            if (r == null) {
                missing.put(name, "not registered");
            } else if (!r.complete()) {
                missing.put(name, r.toString());
            }
        }
        return missing;
    }

    private record Registration(boolean constructors, boolean methods, boolean fields) {
        static Registration of(JsonNode entry) {
            return new Registration(entry.path("allDeclaredConstructors").asBoolean(),
                    entry.path("allDeclaredMethods").asBoolean(), entry.path("allDeclaredFields").asBoolean());
        }

        Registration or(Registration other) {
            return new Registration(constructors || other.constructors, methods || other.methods, fields || other.fields);
        }

        boolean complete() {
            return constructors && methods && fields;
        }
    }

    // Quarkus generates the file from every registration (annotations, extensions, REST signatures);
    // native-image reads it from the same place in the runner jar.
    private static Map<String, Registration> reflectConfig() throws IOException {
        Map<String, Registration> classes = new HashMap<>();
        for (URL file : Collections.list(Thread.currentThread().getContextClassLoader().getResources(REFLECT_CONFIG))) {
            try (InputStream in = file.openStream()) {
                for (JsonNode entry : JSON.readTree(in)) {
                    classes.merge(entry.path("name").asText(), Registration.of(entry), Registration::or);
                }
            }
        }
        assertThat(classes).as("%s generated by the native build steps", REFLECT_CONFIG).isNotEmpty();
        return classes;
    }
}

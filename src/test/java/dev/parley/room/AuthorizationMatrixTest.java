package dev.parley.room;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestTokens;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WsClient;

/**
 * Who may do what: every REST endpoint and every WebSocket frame type of docs/protocol.md, against every
 * kind of caller, generated from the one table below. Each case runs on a room (and messages) of its own.
 */
@QuarkusTest
class AuthorizationMatrixTest {

    /*
     * The contract, as docs/protocol.md states it. One row per action, one column per caller:
     *
     *   owner     created the room               banned    was a member, then banned
     *   admin     a member with role admin       muted     a member, muted (for 60 minutes)
     *   member    a plain member                 bot       a bot the owner made, not a member
     *   nonmember a user who is not in the room  other     another plain member: acting on someone else's
     *   expired   member's token, expired                  message, bot or membership
     *   none      no Authorization header
     *
     * Targets in an action: {room} the case's room; {msg} a message member wrote; {own} a message the caller
     * wrote before any ban or mute (owner, admin, member, muted, banned, other have one); {attachment} a file
     * member uploaded; {bot} a fresh bot of owner's; {fresh} a fresh user; {owner} {admin} {member}
     * {muted} {banned} {outsider} usernames, {self} the caller's username; {unknown} an id that names no room;
     * {selfToken} a new token of the caller's, {otherToken} one of owner's.
     *
     * Answers: an HTTP status for REST ("FIND" rows: whether member's message, which holds the unique {word},
     * is among the 200 answer's results: found or none;
     * "LIST" rows: whether {room} is on any page of the caller's room list: listed or absent); for frames the answer's `type` (ok, or pong for ping; a successful
     * typing has no answer and is seen by another subscriber) or the error `code`; 401 where the upgrade is
     * refused; - where the action has no meaning for that caller. "WS typing" runs after the caller's own
     * subscribe (whatever its answer); "WS typing unsubscribed" without it.
     */
    static final String TABLE = """
            action                                                       | owner admin member nonmember banned muted bot other expired none

            # account: no room
            GET /api/auth/options                                        | 200 200 200 200 200 200 200 200 200 200
            GET /api/me                                                  | 200 200 200 200 200 200 200 200 401 401
            GET /api/rooms                                               | 200 200 200 200 200 200 200 200 401 401
            POST /api/rooms {"name":"{fresh}","visibility":"private"}    | 201 201 201 201 201 201 201 201 401 401
            POST /api/bots {"name":"Helper"}                             | 201 201 201 201 201 201 403 201 401 401
            GET /api/bots                                                | 200 200 200 200 200 200 200 200 401 401
            DELETE /api/bots/{bot}                                       | 204 404 404 404 404 404 404 404 401 401
            POST /api/dms {"username":"{fresh}"}                         | 201 201 201 201 201 201 201 201 401 401
            POST /api/dms {"username":"{self}"}                          | 400 400 400 400 400 400 400 400 401 401
            GET /api/search?q=hello                                      | 200 200 200 200 200 200 200 200 401 401
            GET /api/rooms/{unknown}                                     | 404 404 404 404 404 404 404 404 401 401
            WS ping {}                                                   | pong pong pong pong pong pong pong pong 401 401
            WS auth {"token":"{selfToken}"}                              | ok ok ok ok ok ok ok ok 401 401
            WS auth {"token":"{otherToken}"}                             | ok unauthorized unauthorized unauthorized unauthorized unauthorized unauthorized unauthorized 401 401
            WS subscribe {"room":"{unknown}"}                            | not_found not_found not_found not_found not_found not_found not_found not_found 401 401

            # private room
            GET /api/rooms/{room}                                        | 200 200 200 403 403 200 403 200 401 401
            DELETE /api/rooms/{room}                                     | 204 403 403 403 403 403 403 403 401 401
            GET /api/rooms/{room}/members                                | 200 200 200 403 403 200 403 200 401 401
            POST /api/rooms/{room}/members {"username":"{outsider}"}     | 201 201 403 403 403 403 403 403 401 401
            POST /api/rooms/{room}/members {"username":"{outsider}","role":"admin"} | 201 403 403 403 403 403 403 403 401 401
            POST /api/rooms/{room}/members {"username":"{member}","role":"admin"}   | 200 403 403 403 403 403 403 403 401 401
            POST /api/rooms/{room}/members {"username":"{admin}","role":"member"}   | 200 403 403 403 403 403 403 403 401 401
            POST /api/rooms/{room}/members {"username":"{owner}","role":"member"}   | 403 403 403 403 403 403 403 403 401 401
            POST /api/rooms/{room}/members {"username":"{banned}"}       | 409 409 403 403 403 403 403 403 401 401
            DELETE /api/rooms/{room}/members/{member}                    | 204 204 204 403 403 403 403 403 401 401
            DELETE /api/rooms/{room}/members/{admin}                     | 204 204 403 403 403 403 403 403 401 401
            DELETE /api/rooms/{room}/members/{owner}                     | 409 409 403 403 403 403 403 403 401 401
            DELETE /api/rooms/{room}/members/{outsider}                  | 404 404 403 403 403 403 403 403 401 401
            DELETE /api/rooms/{room}/members/{self}                      | 409 204 204 403 403 204 403 204 401 401
            POST /api/rooms/{room}/bans {"username":"{member}"}          | 204 204 403 403 403 403 403 403 401 401
            POST /api/rooms/{room}/bans {"username":"{admin}"}           | 204 403 403 403 403 403 403 403 401 401
            POST /api/rooms/{room}/bans {"username":"{owner}"}           | 403 403 403 403 403 403 403 403 401 401
            GET /api/rooms/{room}/bans                                   | 200 200 403 403 403 403 403 403 401 401
            DELETE /api/rooms/{room}/bans/{banned}                       | 204 204 403 403 403 403 403 403 401 401
            DELETE /api/rooms/{room}/bans/{member}                       | 404 404 403 403 403 403 403 403 401 401
            POST /api/rooms/{room}/mutes {"username":"{member}","minutes":5} | 204 204 403 403 403 403 403 403 401 401
            GET /api/rooms/{room}/mutes                                  | 200 200 403 403 403 403 403 403 401 401
            DELETE /api/rooms/{room}/mutes/{muted}                       | 204 204 403 403 403 403 403 403 401 401
            GET /api/rooms/{room}/messages                               | 200 200 200 403 403 200 403 200 401 401
            POST /api/rooms/{room}/messages {"text":"hello"}             | 201 201 201 403 403 403 403 201 401 401
            POST /api/rooms/{room}/read {"seq":1}                        | 200 200 200 403 403 200 403 200 401 401
            POST /api/rooms/{room}/attachments file                      | 201 201 201 403 403 403 403 201 401 401
            GET /api/attachments/{attachment}                            | 200 200 200 404 404 200 404 200 401 401
            GET /api/search?q=hello&room={room}                          | 200 200 200 403 403 200 403 200 401 401
            FIND GET /api/search?q={word}                                | found found found none none found none found 401 401
            LIST GET /api/rooms                                          | listed listed listed absent absent listed absent listed 401 401
            WS subscribe {"room":"{room}"}                               | ok ok ok forbidden forbidden ok forbidden ok 401 401
            WS unsubscribe {"room":"{room}"}                             | ok ok ok ok ok ok ok ok 401 401
            WS history {"room":"{room}"}                                 | ok ok ok forbidden forbidden ok forbidden ok 401 401
            WS send {"room":"{room}","text":"hello"}                     | ok ok ok forbidden forbidden forbidden forbidden ok 401 401
            WS edit {"room":"{room}","target":{msg},"text":"changed"}    | forbidden forbidden ok forbidden forbidden forbidden forbidden forbidden 401 401
            WS edit {"room":"{room}","target":{own},"text":"changed"}    | ok ok ok - forbidden forbidden - ok 401 401
            WS delete {"room":"{room}","target":{msg}}                   | ok ok ok forbidden forbidden forbidden forbidden forbidden 401 401
            WS delete {"room":"{room}","target":{own}}                   | ok ok ok - forbidden ok - ok 401 401
            WS react {"room":"{room}","target":{msg},"emoji":"👍","on":true}  | ok ok ok forbidden forbidden forbidden forbidden ok 401 401
            WS react {"room":"{room}","target":{msg},"emoji":"👍","on":false} | ok ok ok forbidden forbidden forbidden forbidden ok 401 401
            WS read {"room":"{room}","seq":1}                            | ok ok ok forbidden forbidden ok forbidden ok 401 401
            WS typing {"room":"{room}"}                                  | ok ok ok forbidden forbidden ok forbidden ok 401 401
            WS typing unsubscribed {"room":"{room}"}                     | forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden 401 401

            # public room: where the rules differ from a private one
            GET /api/rooms/{room}                                        | 200 200 200 200 403 200 200 200 401 401
            GET /api/rooms/{room}/members                                | 200 200 200 200 403 200 200 200 401 401
            GET /api/rooms/{room}/messages                               | 200 200 200 200 403 200 200 200 401 401
            POST /api/rooms/{room}/messages {"text":"hello"}             | 201 201 201 201 403 403 201 201 401 401
            POST /api/rooms/{room}/read {"seq":1}                        | 200 200 200 403 403 200 403 200 401 401
            POST /api/rooms/{room}/attachments file                      | 201 201 201 201 403 403 201 201 401 401
            GET /api/attachments/{attachment}                            | 200 200 200 200 404 200 200 200 401 401
            GET /api/search?q=hello&room={room}                          | 200 200 200 200 403 200 200 200 401 401
            FIND GET /api/search?q={word}                                | found found found found none found found found 401 401
            LIST GET /api/rooms                                          | listed listed listed listed absent listed listed listed 401 401
            DELETE /api/rooms/{room}/members/{self}                      | 409 204 204 403 403 204 403 204 401 401
            WS subscribe {"room":"{room}"}                               | ok ok ok ok forbidden ok ok ok 401 401
            WS history {"room":"{room}"}                                 | ok ok ok ok forbidden ok ok ok 401 401
            WS send {"room":"{room}","text":"hello"}                     | ok ok ok ok forbidden forbidden ok ok 401 401
            WS edit {"room":"{room}","target":{msg},"text":"changed"}    | forbidden forbidden ok forbidden forbidden forbidden forbidden forbidden 401 401
            WS delete {"room":"{room}","target":{msg}}                   | ok ok ok forbidden forbidden forbidden forbidden forbidden 401 401
            WS react {"room":"{room}","target":{msg},"emoji":"👍","on":true}  | ok ok ok ok forbidden forbidden ok ok 401 401
            WS read {"room":"{room}","seq":1}                            | ok ok ok forbidden forbidden ok forbidden ok 401 401
            WS typing {"room":"{room}"}                                  | ok ok ok ok forbidden ok ok ok 401 401

            # direct room of member and other: nobody else is in it, nobody owns it
            GET /api/rooms/{room}                                        | 403 403 200 403 403 403 403 200 401 401
            DELETE /api/rooms/{room}                                     | 403 403 403 403 403 403 403 403 401 401
            GET /api/rooms/{room}/members                                | 403 403 200 403 403 403 403 200 401 401
            POST /api/rooms/{room}/members {"username":"{outsider}"}     | 403 403 403 403 403 403 403 403 401 401
            DELETE /api/rooms/{room}/members/{self}                      | 403 403 403 403 403 403 403 403 401 401
            DELETE /api/rooms/{room}/members/{other}                     | 403 403 403 403 403 403 403 403 401 401
            POST /api/rooms/{room}/bans {"username":"{other}"}           | 403 403 403 403 403 403 403 403 401 401
            POST /api/rooms/{room}/mutes {"username":"{other}","minutes":5} | 403 403 403 403 403 403 403 403 401 401
            GET /api/rooms/{room}/messages                               | 403 403 200 403 403 403 403 200 401 401
            POST /api/rooms/{room}/messages {"text":"hello"}             | 403 403 201 403 403 403 403 201 401 401
            POST /api/rooms/{room}/read {"seq":1}                        | 403 403 200 403 403 403 403 200 401 401
            GET /api/attachments/{attachment}                            | 404 404 200 404 404 404 404 200 401 401
            FIND GET /api/search?q={word}                                | none none found none none none none found 401 401
            LIST GET /api/rooms                                          | absent absent listed absent absent absent absent listed 401 401
            WS subscribe {"room":"{room}"}                               | forbidden forbidden ok forbidden forbidden forbidden forbidden ok 401 401
            WS send {"room":"{room}","text":"hello"}                     | forbidden forbidden ok forbidden forbidden forbidden forbidden ok 401 401
            WS delete {"room":"{room}","target":{msg}}                   | forbidden forbidden ok forbidden forbidden forbidden forbidden forbidden 401 401
            """;

    enum Caller { OWNER, ADMIN, MEMBER, NONMEMBER, BANNED, MUTED, BOT, OTHER, EXPIRED, NONE }

    enum Scope { ACCOUNT, PRIVATE, PUBLIC, DIRECT }

    record Case(Scope scope, String action, Caller caller, String expected) {
        @Override
        public String toString() {
            return "[" + scope.name().toLowerCase() + "] " + action + " × " + caller.name().toLowerCase() + " → " + expected;
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        Scope scope = null;
        for (String line : TABLE.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("action ")) {
                continue;
            }
            if (trimmed.startsWith("#")) {
                scope = Scope.valueOf(trimmed.substring(1).strip().split("[ :]")[0].toUpperCase());
                continue;
            }
            int bar = trimmed.lastIndexOf('|');
            String action = trimmed.substring(0, bar).strip();
            String[] answers = trimmed.substring(bar + 1).strip().split("\\s+");
            if (answers.length != Caller.values().length) {
                throw new IllegalStateException("row has " + answers.length + " answers: " + trimmed);
            }
            for (Caller caller : Caller.values()) {
                String expected = answers[caller.ordinal()];
                if (!expected.equals("-")) {
                    cases.add(new Case(scope, action, caller, expected));
                }
            }
        }
        return cases.stream();
    }

    @TestHTTPResource("/ws")
    URI ws;

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void callerGetsTheAnswerTheContractPromises(Case c) {
        People people = People.get();
        Fixture fixture = new Fixture(people, c.scope(), c.action(), c.caller());
        String action = fixture.substitute(c.action());
        String token = people.token(c.caller());
        String actual = action.startsWith("WS ") ? frame(action.substring(3), token, fixture)
                : action.startsWith("FIND ") ? find(action.substring(5), token, fixture)
                : action.startsWith("LIST ") ? list(action.substring(5), token, fixture) : rest(action, token);
        assertThat(actual).as(c.toString()).isEqualTo(c.expected());
    }

    // ---- REST ----

    private static final Pattern REST = Pattern.compile("(GET|POST|DELETE) (\\S+)(?: (.+))?");

    private static String rest(String action, String token) {
        return String.valueOf(send(action, token).statusCode());
    }

    // Search answers 200 to everyone; what must not leak is in the results.
    private static String find(String action, String token, Fixture fixture) {
        Response response = send(action, token);
        if (response.statusCode() != 200) {
            return String.valueOf(response.statusCode());
        }
        List<String> rooms = response.jsonPath().getList("results.room");
        return rooms.contains(fixture.room) ? "found" : "none";
    }

    private static String list(String action, String token, Fixture fixture) {
        String after = "";
        while (true) {
            Response response = send(action + "?limit=500" + (after.isEmpty() ? "" : "&after=" + after), token);
            if (response.statusCode() != 200) {
                return String.valueOf(response.statusCode());
            }
            List<String> ids = response.jsonPath().getList("id");
            if (ids.contains(fixture.room)) {
                return "listed";
            }
            if (ids.size() < 500) {
                return "absent";
            }
            after = ids.get(ids.size() - 1);
        }
    }

    private static Response send(String action, String token) {
        Matcher m = REST.matcher(action);
        if (!m.matches()) {
            throw new IllegalStateException("not a REST action: " + action);
        }
        RequestSpecification request = given();
        if (token != null) {
            request = request.auth().oauth2(token);
        }
        String body = m.group(3);
        if ("file".equals(body)) {
            request = request.multiPart("file", "note.txt", "hello".getBytes(StandardCharsets.UTF_8), "text/plain");
        } else if (body != null) {
            request = request.contentType(ContentType.JSON).body(body);
        }
        return request.request(m.group(1), m.group(2));
    }

    // ---- WebSocket ----

    private String frame(String action, String token, Fixture fixture) {
        int space = action.indexOf(' ');
        String type = action.substring(0, space);
        String fields = action.substring(space + 1);
        boolean subscribeFirst = type.equals("typing");
        if (fields.startsWith("unsubscribed ")) {
            subscribeFirst = false;
            fields = fields.substring("unsubscribed ".length());
        }
        WsClient client;
        try {
            client = WsClient.connectWithHeader(ws, token);
        } catch (WsClient.UpgradeRefused refused) {
            return String.valueOf(refused.status());
        }
        try (client) {
            if (type.equals("typing")) {
                return typing(client, fixture, fields, subscribeFirst);
            }
            JsonNode answer = client.request(request(type, "a1", fields), "a1");
            return answerOf(answer);
        }
    }

    // A typing that works is not answered: another subscriber seeing it is the evidence.
    private String typing(WsClient client, Fixture fixture, String fields, boolean subscribeFirst) {
        String room = fixture.room;
        if (subscribeFirst) {
            client.request(request("subscribe", "s1", "{\"room\":\"" + room + "\"}"), "s1");
        }
        TestUser observer = fixture.caller == Caller.OWNER ? fixture.people.member : fixture.people.owner;
        try (WsClient watcher = WsClient.connectWithHeader(ws, observer.token())) {
            watcher.subscribe(room, null);
            client.send(request("typing", "t1", fields));
            JsonNode seen = watcher.awaitFrame(f -> "typing".equals(f.path("type").asText()) || errorFor(client, "t1") != null);
            JsonNode error = errorFor(client, "t1");
            if (error != null) {
                return answerOf(error);
            }
            assertThat(seen.path("room").asText()).isEqualTo(room);
            assertThat(seen.path("user").path("id").asText()).isEqualTo(fixture.people.user(fixture.caller).id());
            return "ok";
        }
    }

    private static JsonNode errorFor(WsClient client, String id) {
        return client.frames().stream().filter(f -> id.equals(f.path("id").asText(null))).findFirst().orElse(null);
    }

    private static String request(String type, String id, String fields) {
        String inner = fields.strip();
        inner = inner.substring(1, inner.length() - 1).strip();
        return "{\"type\":\"" + type + "\",\"id\":\"" + id + "\"" + (inner.isEmpty() ? "" : "," + inner) + "}";
    }

    private static String answerOf(JsonNode answer) {
        String type = answer.path("type").asText();
        return type.equals("error") ? answer.path("code").asText() : type;
    }

    // ---- who is who ----

    /** The callers: accounts made once (registering is slow); rooms and messages are made per case. */
    static final class People {
        private static People instance;

        final TestUser owner = TestUsers.create("owner");
        final TestUser admin = TestUsers.create("admin");
        final TestUser member = TestUsers.create("member");
        final TestUser nonmember = TestUsers.create("nonmember");
        final TestUser banned = TestUsers.create("banned");
        final TestUser muted = TestUsers.create("muted");
        final TestUser other = TestUsers.create("other");
        final TestUser outsider = TestUsers.create("outsider");
        final TestUser bot = bot(owner);
        final String expired = TestTokens.signWithParleyKey(TestTokens.claims(member.id(), member.username(), Duration.ofMinutes(5))
                .issuedAt(1_000_000L).expiresAt(1_000_060L));

        static synchronized People get() {
            if (instance == null) {
                instance = new People();
            }
            return instance;
        }

        static TestUser bot(TestUser owner) {
            JsonPath bot = given().auth().oauth2(owner.token()).contentType(ContentType.JSON).body(Map.of("name", "Matrix Bot"))
                    .post("/api/bots").then().statusCode(201).extract().jsonPath();
            return new TestUser(bot.getString("id"), bot.getString("username"), bot.getString("token"));
        }

        TestUser user(Caller caller) {
            return switch (caller) {
                case OWNER -> owner;
                case ADMIN -> admin;
                case MEMBER, EXPIRED -> member;
                case NONMEMBER -> nonmember;
                case BANNED -> banned;
                case MUTED -> muted;
                case BOT -> bot;
                case OTHER -> other;
                case NONE -> null;
            };
        }

        String token(Caller caller) {
            return switch (caller) {
                case EXPIRED -> expired;
                case NONE -> null;
                default -> user(caller).token();
            };
        }
    }

    /** A room of the case's own, with its members, sanctions and messages: nothing is shared between cases. */
    static final class Fixture {
        private static final List<Caller> POSTERS = List.of(Caller.OWNER, Caller.ADMIN, Caller.MEMBER, Caller.MUTED,
                Caller.BANNED, Caller.OTHER);

        final People people;
        final Caller caller;
        String room;
        long msg;
        final String word = randomWord();
        final Map<Caller, Long> own = new EnumMap<>(Caller.class);

        Fixture(People people, Scope scope, String action, Caller caller) {
            this.people = people;
            this.caller = caller;
            if (scope == Scope.ACCOUNT) {
                return;
            }
            if (scope == Scope.DIRECT) {
                room = given().auth().oauth2(people.member.token()).contentType(ContentType.JSON)
                        .body(Map.of("username", people.other.username())).post("/api/dms")
                        .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201)).extract().path("id");
                msg = post(people.member, "hello from member " + word);
                return;
            }
            TestUser owner = people.owner;
            room = TestRooms.create(owner.token(), scope.name().toLowerCase());
            invite(people.admin, "admin");
            for (TestUser u : List.of(people.member, people.muted, people.banned, people.other)) {
                invite(u, "member");
            }
            msg = post(people.member, "hello from member " + word);
            if (action.contains("{own}")) {
                for (Caller poster : POSTERS) {
                    own.put(poster, poster == Caller.MEMBER ? msg : post(people.user(poster), "hello from " + poster));
                }
            }
            sanction("bans", Map.of("username", people.banned.username()));
            sanction("mutes", Map.of("username", people.muted.username(), "minutes", 60));
        }

        String substitute(String text) {
            String out = text
                    .replace("{room}", room == null ? "" : room)
                    .replace("{msg}", String.valueOf(msg))
                    .replace("{word}", word)
                    .replace("{owner}", people.owner.username())
                    .replace("{admin}", people.admin.username())
                    .replace("{member}", people.member.username())
                    .replace("{other}", people.other.username())
                    .replace("{muted}", people.muted.username())
                    .replace("{banned}", people.banned.username())
                    .replace("{outsider}", people.outsider.username())
                    .replace("{unknown}", UUID.randomUUID().toString());
            if (out.contains("{self}")) {
                out = out.replace("{self}", people.user(caller) == null ? people.member.username() : people.user(caller).username());
            }
            if (out.contains("{own}")) {
                // an expired token is member's, and without a token the message's author does not matter
                Long seq = own.get(caller == Caller.EXPIRED || caller == Caller.NONE ? Caller.MEMBER : caller);
                if (seq == null) {
                    fail("no own message for " + caller + ": mark the cell -");
                }
                out = out.replace("{own}", String.valueOf(seq));
            }
            if (out.contains("{fresh}")) {
                out = out.replace("{fresh}", TestUsers.create("fresh").username());
            }
            if (out.contains("{bot}")) {
                out = out.replace("{bot}", People.bot(people.owner).id());
            }
            if (out.contains("{attachment}")) {
                out = out.replace("{attachment}", attachment());
            }
            if (out.contains("{selfToken}")) {
                TestUser me = people.user(caller);
                out = out.replace("{selfToken}", me == null ? "" : TestTokens.signWithParleyKey(
                        TestTokens.claims(me.id(), me.username(), Duration.ofMinutes(5))));
            }
            if (out.contains("{otherToken}")) {
                out = out.replace("{otherToken}", TestTokens.signWithParleyKey(
                        TestTokens.claims(people.owner.id(), people.owner.username(), Duration.ofMinutes(5))));
            }
            return out;
        }

        // letters only, so the search parser keeps it one word
        private static String randomWord() {
            StringBuilder word = new StringBuilder("zq");
            java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
            for (int i = 0; i < 12; i++) {
                word.append((char) ('a' + random.nextInt(26)));
            }
            return word.toString();
        }

        private void invite(TestUser user, String role) {
            given().auth().oauth2(people.owner.token()).contentType(ContentType.JSON)
                    .body(Map.of("username", user.username(), "role", role))
                    .post("/api/rooms/" + room + "/members").then().statusCode(201);
        }

        private long post(TestUser user, String text) {
            return given().auth().oauth2(user.token()).contentType(ContentType.JSON).body(Map.of("text", text))
                    .post("/api/rooms/" + room + "/messages").then().statusCode(201).extract().jsonPath().getLong("seq");
        }

        private void sanction(String kind, Map<String, Object> body) {
            given().auth().oauth2(people.owner.token()).contentType(ContentType.JSON).body(body)
                    .post("/api/rooms/" + room + "/" + kind).then().statusCode(204);
        }

        private String attachment() {
            return given().auth().oauth2(people.member.token())
                    .multiPart("file", "hello.txt", "hello".getBytes(StandardCharsets.UTF_8), "text/plain")
                    .post("/api/rooms/" + room + "/attachments").then().statusCode(201)
                    .extract().jsonPath().getString("attachment.id");
        }
    }
}

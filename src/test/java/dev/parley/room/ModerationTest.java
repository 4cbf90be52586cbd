package dev.parley.room;

import static dev.parley.testsupport.Frames.frame;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WsClient;

/** Bans and mutes: who may give them, and what they forbid, on REST and on the WebSocket. */
@QuarkusTest
class ModerationTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void aBannedMemberIsRemovedLiveAndKeptOutOfEverythingUntilTheBanIsLifted() {
        TestUser owner = TestUsers.create("owner");
        TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(owner.token(), "public");
        long first = post(owner, room, "before the ban").statusCode(201).extract().jsonPath().getLong("seq");
        try (WsClient o = WsClient.connectWithHeader(ws, owner.token()); WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            o.subscribe(room, null);
            b.subscribe(room, null); // joins the public room

            sanction(owner, room, "bans", Map.of("username", bob.username(), "reason", "spam")).statusCode(204);

            JsonNode left = b.awaitEvents("member.left", room, 1).get(0);
            assertThat(left.path("user").path("id").asText()).isEqualTo(bob.id());
            assertThat(left.path("reason").asText()).isEqualTo("banned");
            o.awaitEvents("member.left", room, 1);

            // the subscription has ended: nothing more reaches bob, and he cannot come back
            post(owner, room, "after the ban").statusCode(201);
            o.awaitEvents("message", room, 1);
            assertThat(b.events("message", room)).isEmpty();
            JsonNode refused = b.request(frame("subscribe", "s2", "room", room), "s2");
            assertThat(refused.path("code").asText()).isEqualTo("forbidden");
            JsonNode send = b.request(frame("send", "x1", "room", room, "text", "let me in"), "x1");
            assertThat(send.path("code").asText()).isEqualTo("forbidden");
        }
        post(bob, room, "still here?").statusCode(403);
        given().auth().oauth2(bob.token()).get("/api/rooms/" + room + "/messages").then().statusCode(403)
                .contentType("application/problem+json");
        given().auth().oauth2(bob.token()).get("/api/rooms/" + room).then().statusCode(403);
        assertThat(roomIds(bob)).doesNotContain(room);
        // nobody invites him back while the ban holds
        given().auth().oauth2(owner.token()).contentType(ContentType.JSON).body(Map.of("username", bob.username()))
                .post("/api/rooms/" + room + "/members").then().statusCode(409);
        assertThat(memberNames(owner, room)).doesNotContain(bob.username());

        List<Map<String, Object>> bans = given().auth().oauth2(owner.token()).get("/api/rooms/" + room + "/bans")
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(bans).singleElement().satisfies(ban -> {
            assertThat(ban.get("kind")).isEqualTo("ban");
            assertThat(ban.get("reason")).isEqualTo("spam");
            assertThat(ban.get("until")).isNull();
            assertThat(ban.get("by")).isEqualTo(owner.username());
            assertThat(((Map<?, ?>) ban.get("user")).get("username")).isEqualTo(bob.username());
        });

        given().auth().oauth2(owner.token()).delete("/api/rooms/" + room + "/bans/" + bob.username()).then().statusCode(204);
        given().auth().oauth2(owner.token()).delete("/api/rooms/" + room + "/bans/" + bob.username()).then().statusCode(404);
        try (WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            JsonNode ok = b.subscribe(room, first - 1);
            assertThat(ok.path("missed").asInt()).isEqualTo(2);
        }
        assertThat(roomIds(bob)).contains(room);
    }

    @Test
    void aBanKeepsANonMemberOutOfAPublicRoomAndEndsByItself() throws Exception {
        TestUser owner = TestUsers.create("owner");
        TestUser carol = TestUsers.create("carol");
        String room = TestRooms.create(owner.token(), "public");
        sanction(owner, room, "bans", Map.of("username", carol.username(), "minutes", 30)).statusCode(204);
        String until = given().auth().oauth2(owner.token()).get("/api/rooms/" + room + "/bans").then().statusCode(200)
                .extract().path("[0].until");
        assertThat(until).isNotNull();

        post(carol, room, "hello").statusCode(403);
        try (WsClient c = WsClient.connectWithHeader(ws, carol.token())) {
            assertThat(c.request(frame("subscribe", "s", "room", room), "s").path("code").asText()).isEqualTo("forbidden");
        }
        assertThat(memberNames(owner, room)).doesNotContain(carol.username());

        // thirty minutes later (the clock moved by moving the ban's end into the past)
        try (Connection db = DatabaseTestResource.connect(DatabaseTestResource.DATABASE); Statement sql = db.createStatement()) {
            sql.execute("update sanctions set until = now() - interval '1 second' where room_id = '" + room + "'");
        }
        post(carol, room, "hello again").statusCode(201);
        assertThat(memberNames(owner, room)).contains(carol.username());
        given().auth().oauth2(owner.token()).get("/api/rooms/" + room + "/bans").then().statusCode(200).body("size()",
                org.hamcrest.Matchers.is(0));
    }

    @Test
    void aMutedMemberReadsAndDeletesButCannotSendEditOrReactUntilUnmuted() {
        TestUser owner = TestUsers.create("owner");
        TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(owner.token(), "private");
        TestRooms.invite(owner.token(), room, bob.username());
        long bobs = post(bob, room, "mine").statusCode(201).extract().jsonPath().getLong("seq");
        long owners = post(owner, room, "the owner's").statusCode(201).extract().jsonPath().getLong("seq");

        sanction(owner, room, "mutes", Map.of("username", bob.username())).statusCode(400); // a mute needs minutes
        sanction(owner, room, "mutes", Map.of("username", bob.username(), "minutes", 0)).statusCode(400);
        sanction(owner, room, "mutes", Map.of("username", bob.username(), "minutes", 10)).statusCode(204);

        try (WsClient o = WsClient.connectWithHeader(ws, owner.token()); WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            o.subscribe(room, null);
            b.subscribe(room, null); // still reads
            assertThat(b.request(frame("send", "s1", "room", room, "text", "hear me"), "s1").path("code").asText())
                    .isEqualTo("forbidden");
            assertThat(b.request(frame("edit", "e1", "room", room, "target", bobs, "text", "changed"), "e1").path("code")
                    .asText()).isEqualTo("forbidden");
            assertThat(b.request(frame("react", "r1", "room", room, "target", owners, "emoji", "👍", "on", true), "r1")
                    .path("code").asText()).isEqualTo("forbidden");
            post(bob, room, "through REST").statusCode(403);
            // their own message they may still take back
            assertThat(b.request(frame("delete", "d1", "room", room, "target", bobs), "d1").path("type").asText()).isEqualTo("ok");

            post(owner, room, "still heard").statusCode(201);
            b.awaitEvents("message", room, 1);
            assertThat(b.events("message.deleted", room)).hasSize(1);
            // each socket hears it on its own schedule: wait for the owner's too
            assertThat(o.awaitEvents("message", room, 1)).extracting(m -> m.path("text").asText()).containsExactly("still heard");

            given().auth().oauth2(owner.token()).delete("/api/rooms/" + room + "/mutes/" + bob.username()).then().statusCode(204);
            assertThat(b.request(frame("send", "s2", "room", room, "text", "back"), "s2").path("type").asText()).isEqualTo("ok");
        }
        given().auth().oauth2(bob.token()).get("/api/rooms/" + room + "/messages").then().statusCode(200);
    }

    @Test
    void onlyOwnersAndAdminsModerateAndNobodyTheOwnerNorAnAdminAnotherAdmin() {
        TestUser owner = TestUsers.create("owner");
        TestUser admin = TestUsers.create("admin");
        TestUser admin2 = TestUsers.create("admin");
        TestUser member = TestUsers.create("member");
        String room = TestRooms.create(owner.token(), "private");
        for (TestUser a : List.of(admin, admin2)) {
            given().auth().oauth2(owner.token()).contentType(ContentType.JSON).body(Map.of("username", a.username(), "role", "admin"))
                    .post("/api/rooms/" + room + "/members").then().statusCode(201);
        }
        TestRooms.invite(owner.token(), room, member.username());

        for (String kind : List.of("bans", "mutes")) {
            Map<String, Object> onOwner = Map.of("username", owner.username(), "minutes", 5);
            sanction(admin, room, kind, onOwner).statusCode(403);
            sanction(owner, room, kind, onOwner).statusCode(403);
            sanction(admin, room, kind, Map.of("username", admin2.username(), "minutes", 5)).statusCode(403);
            sanction(member, room, kind, Map.of("username", admin.username(), "minutes", 5)).statusCode(403);
            sanction(admin, room, kind, Map.of("username", "nobody-" + System.nanoTime(), "minutes", 5)).statusCode(404);
            given().auth().oauth2(member.token()).get("/api/rooms/" + room + "/" + kind).then().statusCode(403);
        }
        assertThat(memberNames(owner, room)).contains(owner.username(), admin.username(), admin2.username(), member.username());

        // an admin moderates members; the owner moderates admins too
        sanction(admin, room, "mutes", Map.of("username", member.username(), "minutes", 5)).statusCode(204);
        sanction(owner, room, "bans", Map.of("username", admin2.username())).statusCode(204);
        assertThat(memberNames(owner, room)).doesNotContain(admin2.username());
        given().auth().oauth2(admin2.token()).get("/api/rooms/" + room).then().statusCode(403);
        // a member may not lift a sanction either
        given().auth().oauth2(member.token()).delete("/api/rooms/" + room + "/mutes/" + member.username()).then().statusCode(403);

        // a direct room has exactly its two members: nothing to moderate
        String dm = given().auth().oauth2(owner.token()).contentType(ContentType.JSON).body(Map.of("username", member.username()))
                .post("/api/dms").then().extract().path("id");
        sanction(owner, dm, "bans", Map.of("username", member.username())).statusCode(403);
        sanction(owner, "no-such-room", "bans", Map.of("username", member.username())).statusCode(404);
        sanction(owner, room, "bans", Map.of("username", member.username(), "minutes", "soon")).statusCode(400);
        sanction(owner, room, "bans", Map.of("username", member.username(), "reason", "x".repeat(501))).statusCode(400);
    }

    private static ValidatableResponse sanction(TestUser by, String room, String kind, Map<String, Object> body) {
        return given().auth().oauth2(by.token()).contentType(ContentType.JSON).body(new HashMap<>(body))
                .post("/api/rooms/" + room + "/" + kind).then();
    }

    private static ValidatableResponse post(TestUser user, String room, String text) {
        return given().auth().oauth2(user.token()).contentType(ContentType.JSON).body(Map.of("text", text))
                .post("/api/rooms/" + room + "/messages").then();
    }

    private static List<String> roomIds(TestUser user) {
        return TestRooms.allIds(user.token());
    }

    private static List<String> memberNames(TestUser by, String room) {
        return given().auth().oauth2(by.token()).get("/api/rooms/" + room + "/members").then().statusCode(200)
                .extract().jsonPath().getList("user.username");
    }
}

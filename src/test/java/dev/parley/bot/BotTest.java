package dev.parley.bot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WsClient;

/** Bot accounts: made by a user, posting with their token like anyone invited, until revoked. */
@QuarkusTest
class BotTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void aBotPostsWithItsTokenUntilItsOwnerRevokesItThenItsTokenAndSocketsAreDone() {
        TestUser alice = TestUsers.create("alice");
        JsonPath bot = given().auth().oauth2(alice.token()).contentType(ContentType.JSON).body(Map.of("name", "Deploy Bot"))
                .post("/api/bots").then().statusCode(201).extract().jsonPath();
        String botId = bot.getString("id");
        String token = bot.getString("token");
        assertThat(bot.getString("username")).matches("deploy-bot-bot-[a-z0-9]{1,5}");
        assertThat(bot.getString("name")).isEqualTo("Deploy Bot");
        assertThat(bot.getBoolean("bot")).isTrue();

        given().auth().oauth2(token).get("/api/me").then().statusCode(200)
                .body("id", org.hamcrest.Matchers.is(botId)).body("bot", org.hamcrest.Matchers.is(true));
        JsonPath listed = given().auth().oauth2(alice.token()).get("/api/bots").then().statusCode(200).extract().jsonPath();
        assertThat(listed.getList("id")).containsExactly(botId);
        assertThat(listed.getList("token")).containsOnlyNulls(); // shown once, at creation

        String room = TestRooms.create(alice.token(), "private");
        TestRooms.invite(alice.token(), room, bot.getString("username"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("text", "build 42 is green"))
                .post("/api/rooms/" + room + "/messages").then().statusCode(201).body("user.bot", org.hamcrest.Matchers.is(true));

        try (WsClient b = WsClient.connectWithHeader(ws, token); WsClient a = WsClient.connectWithHeader(ws, alice.token())) {
            b.subscribe(room, null);
            a.subscribe(room, null);
            given().auth().oauth2(alice.token()).delete("/api/bots/" + botId).then().statusCode(204);
            assertThat(b.awaitClose()).isEqualTo(1008);
            assertThat(a.isOpen()).isTrue();
        }
        given().auth().oauth2(token).get("/api/me").then().statusCode(401);
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("text", "still here?"))
                .post("/api/rooms/" + room + "/messages").then().statusCode(401);
        assertThatThrownBy(() -> WsClient.connectWithHeader(ws, token)).isInstanceOfSatisfying(WsClient.UpgradeRefused.class,
                refused -> assertThat(refused.status()).isEqualTo(401));
        given().auth().oauth2(alice.token()).get("/api/bots").then().statusCode(200).body("size()", org.hamcrest.Matchers.is(0));
        given().auth().oauth2(alice.token()).delete("/api/bots/" + botId).then().statusCode(404);
        // what it said stays, with its author
        given().auth().oauth2(alice.token()).get("/api/rooms/" + room + "/messages").then().statusCode(200)
                .body("messages[0].user.id", org.hamcrest.Matchers.is(botId))
                .body("messages[0].user.bot", org.hamcrest.Matchers.is(true));
    }

    @Test
    void onlyItsOwnerRevokesABotBotsMakeNoBotsAndBadRequestsAre400() {
        TestUser alice = TestUsers.create("alice");
        TestUser bob = TestUsers.create("bob");
        JsonPath bot = given().auth().oauth2(alice.token()).contentType(ContentType.JSON).body(Map.of("name", "!!!"))
                .post("/api/bots").then().statusCode(201).extract().jsonPath();
        assertThat(bot.getString("username")).matches("bot-[a-z0-9]{1,5}");

        given().auth().oauth2(bob.token()).delete("/api/bots/" + bot.getString("id")).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(alice.token()).delete("/api/bots/" + alice.id()).then().statusCode(404); // a person is no bot
        given().auth().oauth2(bob.token()).get("/api/bots").then().statusCode(200).body("size()", org.hamcrest.Matchers.is(0));
        given().auth().oauth2(bot.getString("token")).contentType(ContentType.JSON).body(Map.of("name", "child"))
                .post("/api/bots").then().statusCode(403);

        for (Map<String, Object> body : new Map[] { Map.of(), Map.of("name", " "), Map.of("name", "x".repeat(65)),
                Map.of("name", "hook", "webhookUrl", "ftp://example.com/hook"), Map.of("name", 7) }) {
            given().auth().oauth2(alice.token()).contentType(ContentType.JSON).body(body).post("/api/bots").then().statusCode(400);
        }
        given().contentType(ContentType.JSON).body(Map.of("name", "anon")).post("/api/bots").then().statusCode(401);
    }
}

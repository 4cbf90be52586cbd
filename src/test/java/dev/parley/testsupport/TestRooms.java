package dev.parley.testsupport;

import static io.restassured.RestAssured.given;

import java.util.Map;

import io.restassured.http.ContentType;

/** Creates rooms and memberships through the real REST API. */
public final class TestRooms {

    private TestRooms() {
    }

    public static String create(String token, String visibility) {
        return given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("name", TestUsers.uniqueName("room"), "visibility", visibility))
                .post("/api/rooms")
                .then().statusCode(201)
                .extract().path("id");
    }

    public static void invite(String ownerToken, String room, String username) {
        given().auth().oauth2(ownerToken).contentType(ContentType.JSON)
                .body(Map.of("username", username))
                .post("/api/rooms/" + room + "/members")
                .then().statusCode(201);
    }
}

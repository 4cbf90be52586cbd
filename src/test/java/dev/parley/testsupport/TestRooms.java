package dev.parley.testsupport;

import static io.restassured.RestAssured.given;

import java.util.ArrayList;
import java.util.List;
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

    /** Every room in the user's list, following the pages of {@code GET /api/rooms}. */
    public static List<Map<String, Object>> all(String token) {
        List<Map<String, Object>> rooms = new ArrayList<>();
        String after = null;
        while (true) {
            var request = given().auth().oauth2(token).queryParam("limit", 500);
            if (after != null) {
                request.queryParam("after", after);
            }
            List<Map<String, Object>> page = request.get("/api/rooms").then().statusCode(200).extract().jsonPath().getList("$");
            rooms.addAll(page);
            if (page.size() < 500) {
                return rooms;
            }
            after = (String) page.get(page.size() - 1).get("id");
        }
    }

    /** The ids of every room in the user's list. */
    public static List<String> allIds(String token) {
        return all(token).stream().map(r -> (String) r.get("id")).toList();
    }

    public static void invite(String ownerToken, String room, String username) {
        given().auth().oauth2(ownerToken).contentType(ContentType.JSON)
                .body(Map.of("username", username))
                .post("/api/rooms/" + room + "/members")
                .then().statusCode(201);
    }
}

package dev.parley.room;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;

/** The direct room of two users: made once, whoever asks first and however often, for those two only. */
@QuarkusTest
class DirectRoomTest {

    @Test
    void concurrentCallsFromBothSidesGetTheSameRoomCreatedOnce() throws Exception {
        TestUsers.TestUser ann = TestUsers.create("ann");
        TestUsers.TestUser ben = TestUsers.create("ben");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            TestUsers.TestUser caller = i % 2 == 0 ? ann : ben;
            TestUsers.TestUser other = i % 2 == 0 ? ben : ann;
            calls.add(pool.submit((Callable<Response>) () -> open(caller, other.username())));
        }
        List<String> ids = new ArrayList<>();
        int created = 0;
        for (Future<Response> call : calls) {
            Response r = call.get();
            assertThat(r.statusCode()).isIn(200, 201);
            created += r.statusCode() == 201 ? 1 : 0;
            ids.add(r.path("id"));
        }
        pool.shutdown();
        assertThat(created).isEqualTo(1);
        assertThat(ids).containsOnly(ids.get(0));
        try (Connection db = DatabaseTestResource.connect(DatabaseTestResource.DATABASE);
                PreparedStatement q = db.prepareStatement("select count(*) from memberships where room_id = ?")) {
            q.setString(1, ids.get(0));
            try (ResultSet rows = q.executeQuery()) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(2);
            }
        }
    }

    @Test
    void eachSeesTheRoomUnderTheOthersNameAndNobodyElseGetsIn() {
        TestUsers.TestUser ann = TestUsers.create("ann");
        TestUsers.TestUser ben = TestUsers.create("ben");
        TestUsers.TestUser eve = TestUsers.create("eve");
        String room = open(ann, ben.username()).then().statusCode(201)
                .body("visibility", equalTo("direct"))
                .body("name", equalTo("User " + ben.username()))
                .extract().path("id");
        open(ben, ann.username()).then().statusCode(200).body("id", equalTo(room))
                .body("name", equalTo("User " + ann.username()));
        List<Map<String, Object>> bens = TestRooms.all(ben.token());
        assertThat(bens).anyMatch(r -> room.equals(r.get("id")) && ("User " + ann.username()).equals(r.get("name")));

        given().contentType(ContentType.JSON).body(Map.of("text", "just us")).auth().oauth2(ann.token())
                .post("/api/rooms/" + room + "/messages").then().statusCode(201);
        // a third user reads nothing, and nobody is added or removed
        given().auth().oauth2(eve.token()).get("/api/rooms/" + room).then().statusCode(403);
        given().auth().oauth2(eve.token()).get("/api/rooms/" + room + "/messages").then().statusCode(403);
        given().auth().oauth2(eve.token()).contentType(ContentType.JSON).body(Map.of("text", "hi"))
                .post("/api/rooms/" + room + "/messages").then().statusCode(403);
        List<Map<String, Object>> eves = TestRooms.all(eve.token());
        assertThat(eves).noneMatch(r -> room.equals(r.get("id")));
        given().auth().oauth2(ann.token()).contentType(ContentType.JSON).body(Map.of("username", eve.username()))
                .post("/api/rooms/" + room + "/members").then().statusCode(403);
        given().auth().oauth2(ann.token()).delete("/api/rooms/" + room + "/members/" + ben.username())
                .then().statusCode(403);

        open(ann, "no-such-user-here").then().statusCode(404);
        open(ann, ann.username()).then().statusCode(400);
    }

    private static Response open(TestUsers.TestUser caller, String username) {
        return given().auth().oauth2(caller.token()).contentType(ContentType.JSON).body(Map.of("username", username))
                .post("/api/dms");
    }
}

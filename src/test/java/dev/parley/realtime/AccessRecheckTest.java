package dev.parley.realtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

/**
 * Losing access ends a live subscription even when no event says so (the event was lost, or the
 * change was made elsewhere): the periodic re-check finds it (every second in tests).
 */
@QuarkusTest
class AccessRecheckTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Inject
    RoomHub hub;

    @Test
    void aMemberRemovedWithoutAnEventIsUnsubscribedAndReceivesNothingMore() throws Exception {
        TestUsers.TestUser owner = TestUsers.create("owner");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(owner.token(), "private");
        TestRooms.invite(owner.token(), room, bob.username());
        try (WsClient o = WsClient.connectWithHeader(ws, owner.token());
                WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            o.subscribe(room, null);
            b.subscribe(room, null);
            try (Connection db = DatabaseTestResource.connect(DatabaseTestResource.DATABASE);
                    Statement sql = db.createStatement()) {
                sql.execute("delete from memberships where room_id = '" + room + "' and user_id = '" + bob.id() + "'");
            }
            JsonNode left = b.awaitEvents("member.left", room, 1).get(0);
            assertThat(left.path("user").path("id").asText()).isEqualTo(bob.id());
            assertThat(left.path("reason").asText()).isEqualTo("removed");
            assertThat(hub.localSubscribers(room)).isEqualTo(1);

            post(owner, room, "after bob lost access");
            o.awaitEvents("message", room, 1);
            assertThat(b.events("message", room)).isEmpty();
            // the owner's own subscription was not touched
            assertThat(o.events("member.left", room)).isEmpty();
        }
    }

    @Test
    void aRoomDeletedWithoutAnEventEndsItsSubscriptionsWithRoomDeleted() throws Exception {
        TestUsers.TestUser owner = TestUsers.create("owner");
        String room = TestRooms.create(owner.token(), "public");
        try (WsClient o = WsClient.connectWithHeader(ws, owner.token())) {
            o.subscribe(room, null);
            try (Connection db = DatabaseTestResource.connect(DatabaseTestResource.DATABASE);
                    Statement sql = db.createStatement()) {
                sql.execute("delete from rooms where id = '" + room + "'");
            }
            o.awaitEvents("room.deleted", room, 1);
            assertThat(hub.localSubscribers(room)).isZero();
        }
    }

    private static void post(TestUsers.TestUser user, String room, String text) {
        given().auth().oauth2(user.token()).contentType(ContentType.JSON).body(Map.of("text", text))
                .post("/api/rooms/" + room + "/messages").then().statusCode(201);
    }
}

package dev.parley.realtime;

import static dev.parley.testsupport.Frames.frame;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WsClient;

/**
 * Events to a user rather than to a room: every connection of a user learns when a room joins or
 * leaves their list, and a connection not subscribed to one of their rooms learns of its new entries
 * and of the user's own read marker moving, with real WebSocket clients over the real Redis.
 */
@QuarkusTest
class UserEventsTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Inject
    UserFeeds feeds;

    @Test
    void anInvitationReachesEveryConnectionOfTheInvitedWithTheRoomAsTheySeeIt() {
        TestUser owner = TestUsers.create("owner");
        TestUser guest = TestUsers.create("guest");
        String room = TestRooms.create(owner.token(), "private");
        post(owner, room, "before you came");
        try (WsClient tab1 = connect(guest); WsClient tab2 = connect(guest)) {
            TestRooms.invite(owner.token(), room, guest.username());
            for (WsClient tab : List.of(tab1, tab2)) {
                JsonNode added = awaitEvent(tab, "room.added", room);
                assertThat(added.path("reason").asText()).isEqualTo("invited");
                assertThat(added.path("room").path("visibility").asText()).isEqualTo("private");
                assertThat(added.path("room").path("role").asText()).isEqualTo("member");
                assertThat(added.path("room").path("lastSeq").asLong()).isEqualTo(1);
                assertThat(added.path("room").path("unread").asLong()).isEqualTo(1);
            }
            // from then on the room's activity is followed for the guest
            await().atMost(Duration.ofSeconds(10)).until(() -> feeds.follows(guest.id(), room));
            post(owner, room, "welcome");
            assertThat(awaitEvent(tab1, "room.activity", room).path("seq").asLong()).isEqualTo(2);
        }
    }

    @Test
    void aDirectRoomOpenedBySomeoneElseReachesTheOtherUserAndTheCallersOtherConnections() {
        TestUser ann = TestUsers.create("ann");
        TestUser ben = TestUsers.create("ben");
        try (WsClient annElsewhere = connect(ann); WsClient benTab = connect(ben)) {
            String room = given().auth().oauth2(ann.token()).contentType(ContentType.JSON)
                    .body(Map.of("username", ben.username())).post("/api/dms").then().statusCode(201).extract().path("id");
            JsonNode toBen = awaitEvent(benTab, "room.added", room);
            assertThat(toBen.path("reason").asText()).isEqualTo("direct");
            assertThat(toBen.path("room").path("visibility").asText()).isEqualTo("direct");
            assertThat(toBen.path("room").path("name").asText()).isEqualTo("User " + ann.username());
            JsonNode toAnn = awaitEvent(annElsewhere, "room.added", room);
            assertThat(toAnn.path("room").path("name").asText()).isEqualTo("User " + ben.username());
        }
    }

    @Test
    void joiningAPublicRoomOnOneTabAddsItOnTheOthersAndCreatingOneAddsItToo() {
        TestUser carol = TestUsers.create("carol");
        TestUser owner = TestUsers.create("owner");
        String room = TestRooms.create(owner.token(), "public");
        try (WsClient tab1 = connect(carol); WsClient tab2 = connect(carol)) {
            tab1.subscribe(room, null);
            JsonNode added = awaitEvent(tab2, "room.added", room);
            assertThat(added.path("reason").asText()).isEqualTo("joined");
            assertThat(added.path("room").path("role").asText()).isEqualTo("member");
            awaitEvent(tab1, "room.added", room); // the joining connection too: it is the user's list

            String own = TestRooms.create(carol.token(), "private");
            JsonNode created = awaitEvent(tab2, "room.added", own);
            assertThat(created.path("reason").asText()).isEqualTo("created");
            assertThat(created.path("room").path("role").asText()).isEqualTo("owner");
        }
    }

    @Test
    void leavingBeingRemovedAndBeingBannedRemoveTheRoomFromEveryConnection() {
        TestUser owner = TestUsers.create("owner");
        TestUser dan = TestUsers.create("dan");
        String left = TestRooms.create(owner.token(), "private");
        String removed = TestRooms.create(owner.token(), "private");
        String banned = TestRooms.create(owner.token(), "public");
        for (String room : List.of(left, removed, banned)) {
            TestRooms.invite(owner.token(), room, dan.username());
        }
        try (WsClient subscribed = connect(dan); WsClient elsewhere = connect(dan)) {
            subscribed.subscribe(removed, null);
            given().auth().oauth2(dan.token()).delete("/api/rooms/" + left + "/members/" + dan.username()).then()
                    .statusCode(204);
            given().auth().oauth2(owner.token()).delete("/api/rooms/" + removed + "/members/" + dan.username()).then()
                    .statusCode(204);
            given().auth().oauth2(owner.token()).contentType(ContentType.JSON).body(Map.of("username", dan.username()))
                    .post("/api/rooms/" + banned + "/bans").then().statusCode(204);
            for (WsClient tab : List.of(subscribed, elsewhere)) {
                assertThat(awaitEvent(tab, "room.removed", left).path("reason").asText()).isEqualTo("left");
                assertThat(awaitEvent(tab, "room.removed", removed).path("reason").asText()).isEqualTo("removed");
                assertThat(awaitEvent(tab, "room.removed", banned).path("reason").asText()).isEqualTo("banned");
            }
            // the subscribed connection's subscription ended too, as with member.left
            awaitEvent(subscribed, "member.left", removed);
            await().atMost(Duration.ofSeconds(10)).until(() -> !feeds.follows(dan.id(), removed)
                    && !feeds.follows(dan.id(), left) && !feeds.follows(dan.id(), banned));
        }
    }

    @Test
    void aDeletedRoomIsRemovedFromEveryMembersConnectionsWithoutAPublishPerMember() {
        TestUser owner = TestUsers.create("owner");
        TestUser eve = TestUsers.create("eve");
        String room = TestRooms.create(owner.token(), "private");
        TestRooms.invite(owner.token(), room, eve.username());
        try (WsClient ownerTab = connect(owner); WsClient eveTab = connect(eve)) {
            awaitFollowed(owner, room);
            awaitFollowed(eve, room);
            given().auth().oauth2(owner.token()).delete("/api/rooms/" + room).then().statusCode(204);
            for (WsClient tab : List.of(ownerTab, eveTab)) {
                assertThat(awaitEvent(tab, "room.removed", room).path("reason").asText()).isEqualTo("deleted");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !feeds.follows(eve.id(), room));
        }
    }

    @Test
    void aConnectionNotSubscribedToARoomGetsItsActivityWithMentionsAndASubscribedOneDoesNot() {
        TestUser alice = TestUsers.create("alice");
        TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(alice.token(), "private");
        TestRooms.invite(alice.token(), room, bob.username());
        try (WsClient reading = connect(bob); WsClient elsewhere = connect(bob)) {
            reading.subscribe(room, null);
            awaitFollowed(bob, room);
            post(alice, room, "plain news");
            post(alice, room, "look @" + bob.username());
            List<JsonNode> activity = elsewhere.awaitEvents("room.activity", room, 2);
            assertThat(activity.get(0).path("seq").asLong()).isEqualTo(1);
            assertThat(activity.get(0).path("kind").asText()).isEqualTo("message");
            assertThat(activity.get(0).path("user").path("id").asText()).isEqualTo(alice.id());
            assertThat(activity.get(0).path("mention").asBoolean()).isFalse();
            assertThat(activity.get(1).path("seq").asLong()).isEqualTo(2);
            assertThat(activity.get(1).path("mention").asBoolean()).isTrue();
            assertThat(activity.get(0).has("target")).isFalse();

            // an edit and a deletion name the message they act on; a reaction sends none
            reading.awaitEvents("message", room, 2);
            try (WsClient aliceWs = connect(alice)) {
                aliceWs.request(frame("react", "r1", "room", room, "target", 1, "emoji", "👍", "on", true), "r1");
                aliceWs.request(frame("delete", "d1", "room", room, "target", 1), "d1");
            }
            JsonNode deletion = elsewhere.awaitEvents("room.activity", room, 3).get(2);
            assertThat(deletion.path("kind").asText()).isEqualTo("message.deleted");
            assertThat(deletion.path("seq").asLong()).isEqualTo(4);
            assertThat(deletion.path("target").asLong()).isEqualTo(1);

            // the subscribed connection got the entries themselves, never their activity
            reading.awaitEvents("message.deleted", room, 1);
            assertThat(reading.events("room.activity", room)).isEmpty();
            assertThat(elsewhere.events("message", room)).isEmpty();
        }
    }

    @Test
    void theUsersOwnReadMarkerReachesTheirConnectionsNotSubscribedToTheRoom() {
        TestUser alice = TestUsers.create("alice");
        TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(alice.token(), "private");
        TestRooms.invite(alice.token(), room, bob.username());
        post(alice, room, "one");
        post(alice, room, "two");
        try (WsClient reading = connect(bob); WsClient elsewhere = connect(bob); WsClient aliceElsewhere = connect(alice)) {
            reading.subscribe(room, null);
            awaitFollowed(bob, room);
            awaitFollowed(alice, room);
            reading.request(frame("read", "m1", "room", room, "seq", 2), "m1");
            JsonNode read = awaitEvent(elsewhere, "read", room);
            assertThat(read.path("user").path("id").asText()).isEqualTo(bob.id());
            assertThat(read.path("seq").asLong()).isEqualTo(2);
            // someone else's marker is not news to a connection that is not in the room
            given().auth().oauth2(alice.token()).contentType(ContentType.JSON).body(Map.of("seq", 2))
                    .post("/api/rooms/" + room + "/read").then().statusCode(200);
            awaitEvent(aliceElsewhere, "read", room);
            assertThat(elsewhere.events("read", room)).hasSize(1);
        }
    }

    private WsClient connect(TestUser user) {
        return WsClient.connectWithHeader(ws, user.token());
    }

    private void awaitFollowed(TestUser user, String room) {
        await().atMost(Duration.ofSeconds(10)).until(() -> feeds.follows(user.id(), room));
    }

    private static JsonNode awaitEvent(WsClient client, String type, String room) {
        return client.awaitFrame(f -> type.equals(f.path("type").asText()) && room.equals(roomOf(f)));
    }

    // room.added carries the room's view, the other events its id
    private static String roomOf(JsonNode frame) {
        JsonNode room = frame.path("room");
        return room.isObject() ? room.path("id").asText() : room.asText();
    }

    private static void post(TestUser user, String room, String text) {
        given().auth().oauth2(user.token()).contentType(ContentType.JSON).body(Map.of("text", text))
                .post("/api/rooms/" + room + "/messages").then().statusCode(201);
    }
}

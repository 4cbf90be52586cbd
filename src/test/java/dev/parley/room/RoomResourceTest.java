package dev.parley.room;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;

@QuarkusTest
class RoomResourceTest {

    @Test
    void theRoomListIsPagedOldestFirstAndEveryRoomComesExactlyOnce() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            mine.add(TestRooms.create(alice.token(), "private"));
        }
        List<String> ids = new ArrayList<>();
        List<String> createdAt = new ArrayList<>();
        String after = null;
        int pages = 0;
        while (true) {
            var request = given().auth().oauth2(alice.token()).queryParam("limit", 3);
            if (after != null) {
                request.queryParam("after", after);
            }
            List<Map<String, Object>> page = request.get("/api/rooms").then().statusCode(200).extract().jsonPath().getList("$");
            pages++;
            assertThat(page.size()).isLessThanOrEqualTo(3);
            page.forEach(room -> {
                ids.add((String) room.get("id"));
                createdAt.add((String) room.get("createdAt"));
            });
            if (page.size() < 3) {
                break;
            }
            after = ids.get(ids.size() - 1);
        }
        assertThat(pages).isGreaterThanOrEqualTo(3);
        assertThat(ids).doesNotHaveDuplicates().containsAll(mine);
        // alice's own rooms, created one after the other, come in that order
        assertThat(ids.stream().filter(mine::contains).toList()).containsExactlyElementsOf(mine);
        // oldest first across page boundaries (ISO-8601 UTC with milliseconds sorts as text)
        assertThat(createdAt).isSorted();
    }

    @Test
    void theRoomListsPageSizeHasBounds() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestRooms.create(alice.token(), "private");
        for (String bad : List.of("0", "-1", "abc", "2.5")) {
            given().auth().oauth2(alice.token()).queryParam("limit", bad).get("/api/rooms")
                    .then().statusCode(400).body("code", equalTo("bad_request"));
        }
        given().auth().oauth2(alice.token()).queryParam("after", "no-such-room").get("/api/rooms")
                .then().statusCode(400).body("code", equalTo("bad_request"));
        // larger than the largest page is clamped, as for members; no limit is a page of 100 at most
        assertThat(given().auth().oauth2(alice.token()).queryParam("limit", 100_000).get("/api/rooms")
                .then().statusCode(200).extract().jsonPath().getList("$")).hasSizeLessThanOrEqualTo(500);
        assertThat(given().auth().oauth2(alice.token()).get("/api/rooms")
                .then().statusCode(200).extract().jsonPath().getList("$")).hasSizeLessThanOrEqualTo(100);
    }

    @Test
    void creatingARoomMakesTheCallerItsOwner() {
        TestUsers.TestUser owner = TestUsers.create("owner");
        String name = TestUsers.uniqueName("General");
        given().auth().oauth2(owner.token()).contentType(ContentType.JSON)
                .body(Map.of("name", name, "visibility", "public", "topic", "everything"))
                .post("/api/rooms")
                .then().statusCode(201)
                .body("id", notNullValue())
                .body("name", equalTo(name))
                .body("visibility", equalTo("public"))
                .body("topic", equalTo("everything"))
                .body("lastSeq", equalTo(0))
                .body("role", equalTo("owner"))
                .body("unread", equalTo(0))
                .body("createdAt", matchesPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
    }

    @Test
    void publicRoomNamesAreUniqueCaseInsensitivelyPrivateOnesMayRepeat() {
        TestUsers.TestUser a = TestUsers.create("names");
        String name = TestUsers.uniqueName("Lobby");
        create(a.token(), name, "public").then().statusCode(201);
        create(a.token(), name.toUpperCase(), "public")
                .then().statusCode(409).contentType("application/problem+json");
        create(a.token(), name, "private").then().statusCode(201);
        create(a.token(), name, "private").then().statusCode(201);
    }

    @Test
    void invalidRoomsAreBadRequests() {
        TestUsers.TestUser a = TestUsers.create("invalid");
        create(a.token(), "", "public").then().statusCode(400).contentType("application/problem+json");
        create(a.token(), "x", "secret").then().statusCode(400).contentType("application/problem+json");
        create(a.token(), "x".repeat(101), "public").then().statusCode(400);
        given().auth().oauth2(a.token()).contentType(ContentType.JSON).body("{\"name\":1,\"visibility\":\"public\"}")
                .post("/api/rooms").then().statusCode(400);
    }

    @Test
    void listShowsPublicRoomsAndMyPrivateRoomsOnly() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String open = TestRooms.create(alice.token(), "public");
        String secret = TestRooms.create(alice.token(), "private");
        assertThat(TestRooms.allIds(alice.token())).contains(open, secret);
        List<Map<String, Object>> bobs = TestRooms.all(bob.token());
        assertThat(bobs).anyMatch(r -> open.equals(r.get("id")) && r.get("role") == null);
        assertThat(bobs).noneMatch(r -> secret.equals(r.get("id")));
    }

    @Test
    void aPrivateRoomIsForbiddenToNonMembersAndAnUnknownRoomIsNotFound() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String secret = TestRooms.create(alice.token(), "private");
        given().auth().oauth2(bob.token()).get("/api/rooms/" + secret).then().statusCode(403)
                .contentType("application/problem+json");
        given().auth().oauth2(bob.token()).get("/api/rooms/nope").then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(bob.token()).get("/api/rooms/" + secret + "/messages").then().statusCode(403);
    }

    @Test
    void membersAreInvitedByOwnersAndAdminsAndMayLeave() {
        TestUsers.TestUser owner = TestUsers.create("owner");
        TestUsers.TestUser bob = TestUsers.create("bob");
        TestUsers.TestUser carol = TestUsers.create("carol");
        String room = TestRooms.create(owner.token(), "private");

        invite(owner.token(), room, bob.username(), null).then().statusCode(201)
                .body("room", equalTo(room))
                .body("user.username", equalTo(bob.username()))
                .body("role", equalTo("member"));
        invite(owner.token(), room, bob.username(), null).then().statusCode(200).body("role", equalTo("member"));
        // a plain member cannot invite
        invite(bob.token(), room, carol.username(), null).then().statusCode(403);
        invite(owner.token(), room, "no-such-user-x", null).then().statusCode(404);
        invite(owner.token(), room, carol.username(), "king").then().statusCode(400);
        // an admin may invite; nobody may be made owner
        invite(owner.token(), room, bob.username(), "admin").then().statusCode(200).body("role", equalTo("admin"));
        invite(bob.token(), room, carol.username(), "owner").then().statusCode(403);
        invite(bob.token(), room, carol.username(), null).then().statusCode(201);

        given().auth().oauth2(carol.token()).get("/api/rooms/" + room).then().statusCode(200).body("role", equalTo("member"));
        // carol leaves; the owner cannot
        given().auth().oauth2(carol.token()).delete("/api/rooms/" + room + "/members/" + carol.username())
                .then().statusCode(204);
        given().auth().oauth2(carol.token()).get("/api/rooms/" + room).then().statusCode(403);
        given().auth().oauth2(owner.token()).delete("/api/rooms/" + room + "/members/" + owner.username())
                .then().statusCode(409);
        // an admin cannot remove the owner, a member cannot remove others
        given().auth().oauth2(bob.token()).delete("/api/rooms/" + room + "/members/" + owner.username())
                .then().statusCode(409);
    }

    @Test
    void membersAreListedWithTheirRolesToWhoeverMayReadTheRoom() {
        TestUsers.TestUser owner = TestUsers.create("owner");
        TestUsers.TestUser bob = TestUsers.create("bob");
        TestUsers.TestUser outsider = TestUsers.create("outsider");
        String secret = TestRooms.create(owner.token(), "private");
        invite(owner.token(), secret, bob.username(), "admin").then().statusCode(201);
        given().auth().oauth2(bob.token()).get("/api/rooms/" + secret + "/members").then().statusCode(200)
                .body("size()", equalTo(2))
                .body("find { it.user.id == '" + owner.id() + "' }.role", equalTo("owner"))
                .body("find { it.user.id == '" + bob.id() + "' }.role", equalTo("admin"))
                .body("find { it.user.id == '" + bob.id() + "' }.user.bot", equalTo(false));
        given().auth().oauth2(outsider.token()).get("/api/rooms/" + secret + "/members").then().statusCode(403);
        given().auth().oauth2(outsider.token()).get("/api/rooms/no-such-room/members").then().statusCode(404);
        // a public room's members are visible to anyone signed in
        String lobby = TestRooms.create(owner.token(), "public");
        given().auth().oauth2(outsider.token()).get("/api/rooms/" + lobby + "/members").then().statusCode(200)
                .body("user.username", contains(owner.username()));
    }

    @Test
    void membersArePagedByUsernameWithAfterAndLimit() {
        TestUsers.TestUser owner = TestUsers.create("owner");
        String room = TestRooms.create(owner.token(), "private");
        List<String> names = new ArrayList<>(List.of(owner.username()));
        for (int i = 0; i < 4; i++) {
            TestUsers.TestUser member = TestUsers.create("pm" + i);
            invite(owner.token(), room, member.username(), null).then().statusCode(201);
            names.add(member.username());
        }
        Collections.sort(names);
        // pages of two, each starting after the last name of the one before, make up the whole list once
        List<String> seen = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 5; page++) {
            var request = given().auth().oauth2(owner.token()).queryParam("limit", 2);
            if (after != null) {
                request.queryParam("after", after);
            }
            List<String> got = request.get("/api/rooms/" + room + "/members").then().statusCode(200)
                    .extract().path("user.username");
            seen.addAll(got);
            if (got.size() < 2) {
                break;
            }
            after = got.get(got.size() - 1);
        }
        assertThat(seen).containsExactlyElementsOf(names);
        for (String bad : new String[] {"0", "-1", "abc"}) {
            given().auth().oauth2(owner.token()).queryParam("limit", bad).get("/api/rooms/" + room + "/members")
                    .then().statusCode(400).contentType("application/problem+json");
        }
        // a limit beyond the largest page is clamped, not refused
        given().auth().oauth2(owner.token()).queryParam("limit", 100000).get("/api/rooms/" + room + "/members")
                .then().statusCode(200).body("size()", equalTo(5));
    }

    @Test
    void onlyTheOwnerGrantsOrTakesAwayAdmin() {
        TestUsers.TestUser owner = TestUsers.create("owner");
        TestUsers.TestUser ann = TestUsers.create("ann");
        TestUsers.TestUser ben = TestUsers.create("ben");
        TestUsers.TestUser cat = TestUsers.create("cat");
        String room = TestRooms.create(owner.token(), "private");
        invite(owner.token(), room, ann.username(), "admin").then().statusCode(201).body("role", equalTo("admin"));
        invite(owner.token(), room, ben.username(), "admin").then().statusCode(201).body("role", equalTo("admin"));
        invite(ann.token(), room, cat.username(), null).then().statusCode(201).body("role", equalTo("member"));

        // an admin can neither demote another admin (to remove them next) nor promote a member
        invite(ann.token(), room, ben.username(), "member").then().statusCode(403);
        invite(ann.token(), room, cat.username(), "admin").then().statusCode(403);
        given().auth().oauth2(ann.token()).delete("/api/rooms/" + room + "/members/" + ben.username())
                .then().statusCode(403);
        given().auth().oauth2(ben.token()).get("/api/rooms/" + room).then().statusCode(200).body("role", equalTo("admin"));
        // nor change the owner
        invite(ann.token(), room, owner.username(), "member").then().statusCode(403);
        // an admin re-inviting someone without a role changes nothing, and may remove a member
        invite(ann.token(), room, ben.username(), null).then().statusCode(200).body("role", equalTo("admin"));
        given().auth().oauth2(ann.token()).delete("/api/rooms/" + room + "/members/" + cat.username())
                .then().statusCode(204);

        // the owner does both
        invite(owner.token(), room, ben.username(), "member").then().statusCode(200).body("role", equalTo("member"));
        invite(owner.token(), room, ben.username(), "admin").then().statusCode(200).body("role", equalTo("admin"));
        given().auth().oauth2(owner.token()).delete("/api/rooms/" + room + "/members/" + ben.username())
                .then().statusCode(204);
    }

    @Test
    void onlyTheOwnerDeletesARoom() {
        TestUsers.TestUser owner = TestUsers.create("owner");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(owner.token(), "public");
        given().auth().oauth2(bob.token()).delete("/api/rooms/" + room).then().statusCode(403);
        given().auth().oauth2(owner.token()).delete("/api/rooms/" + room).then().statusCode(204);
        given().auth().oauth2(owner.token()).get("/api/rooms/" + room).then().statusCode(404);
        given().auth().oauth2(owner.token()).delete("/api/rooms/" + room).then().statusCode(404);
    }

    @Test
    void roomEndpointsNeedAToken() {
        given().get("/api/rooms").then().statusCode(401).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body(Map.of("name", "x", "visibility", "public")).post("/api/rooms")
                .then().statusCode(401);
    }

    private static Response create(String token, String name, String visibility) {
        return given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("name", name, "visibility", visibility)).post("/api/rooms");
    }

    private static Response invite(String token, String room, String username, String role) {
        Map<String, String> body = role == null ? Map.of("username", username) : Map.of("username", username, "role", role);
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                .post("/api/rooms/" + room + "/members");
    }
}

package dev.parley.realtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestTokens;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

/**
 * What one message to a room of 10,000 members costs with the events to users: measured on a real
 * instance, real Redis and PostgreSQL, with 200 of the members connected here (40 of them reading
 * the room, 160 elsewhere in the app). The bound it holds (docs/architecture.md, "Events to a user"):
 * one publish, one Redis subscription of the room's channel per instance, and one frame per connected
 * member's connection; nothing for the 9,800 members who are not connected.
 */
@QuarkusTest
class UserEventsCostTest {

    private static final int MEMBERS = 10_000;
    private static final int CONNECTED = 200;
    private static final int READING = 40;

    @TestHTTPResource("/ws")
    URI ws;

    @Inject
    UserFeeds feeds;

    @Inject
    RoomHub hub;

    @Test
    void aMessageToARoomOfTenThousandMembersIsOnePublishAndOneFramePerConnectedMember() throws Exception {
        TestUsers.TestUser owner = TestUsers.create("owner");
        String room = TestRooms.create(owner.token(), "private");
        List<String[]> members = addMembers(room, MEMBERS - 1);
        List<WsClient> clients = new ArrayList<>();
        try {
            for (String[] member : members.subList(0, CONNECTED)) {
                String token = TestTokens.signWithParleyKey(TestTokens.claims(member[0], member[1], Duration.ofMinutes(10)));
                clients.add(WsClient.connectWithHeader(ws, token));
            }
            for (WsClient reader : clients.subList(0, READING)) {
                reader.subscribe(room, null);
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> members.subList(0, CONNECTED).stream().allMatch(m -> feeds.follows(m[0], room)));
            assertThat(redis("PUBSUB", "NUMSUB", "parley:room:{" + room + "}")).as("subscribers of the room's channel")
                    .contains("\n1\n");

            long publishesBefore = publishes();
            long start = System.nanoTime();
            given().auth().oauth2(owner.token()).contentType(ContentType.JSON).body(Map.of("text", "to everyone"))
                    .post("/api/rooms/" + room + "/messages").then().statusCode(201);
            for (WsClient reader : clients.subList(0, READING)) {
                reader.awaitEvents("message", room, 1);
            }
            for (WsClient elsewhere : clients.subList(READING, CONNECTED)) {
                elsewhere.awaitEvents("room.activity", room, 1);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            long publishes = publishes() - publishesBefore;

            int activityFrames = 0;
            int messageFrames = 0;
            for (WsClient client : clients) {
                activityFrames += client.events("room.activity", room).size();
                messageFrames += client.events("message", room).size();
            }
            System.out.printf("user-events cost: room of %d members, %d connected here (%d reading it): %d publish(es), "
                    + "%d message frames, %d room.activity frames, %d rooms watched here, all delivered in %d ms%n",
                    MEMBERS, CONNECTED, READING, publishes, messageFrames, activityFrames, hub.watchedRooms(), millis);
            assertThat(publishes).as("PUBLISH commands Redis ran for the message").isEqualTo(1);
            assertThat(messageFrames).isEqualTo(READING);
            assertThat(activityFrames).isEqualTo(CONNECTED - READING);
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    // Users and their memberships straight into PostgreSQL, in two statements: ids and usernames.
    private static List<String[]> addMembers(String room, int count) throws Exception {
        String prefix = TestUsers.uniqueName("m");
        List<String[]> members = new ArrayList<>();
        try (Connection db = DatabaseTestResource.connect(DatabaseTestResource.DATABASE)) {
            try (PreparedStatement users = db.prepareStatement("""
                    insert into users (id, username, issuer, subject)
                    select gen_random_uuid()::text, ? || '-' || i, 'seeded', ? || '-' || i from generate_series(1, ?) i
                    returning id, username""")) {
                users.setString(1, prefix);
                users.setString(2, prefix);
                users.setInt(3, count);
                try (ResultSet rows = users.executeQuery()) {
                    while (rows.next()) {
                        members.add(new String[] { rows.getString(1), rows.getString(2) });
                    }
                }
            }
            try (PreparedStatement join = db.prepareStatement("""
                    insert into memberships (room_id, user_id, role) select ?, u, 'member' from unnest(?::text[]) u""")) {
                join.setString(1, room);
                join.setArray(2, db.createArrayOf("text", members.stream().map(m -> m[0]).toArray()));
                assertThat(join.executeUpdate()).isEqualTo(count);
            }
        }
        return members;
    }

    private static long publishes() throws Exception {
        Matcher calls = Pattern.compile("cmdstat_publish:calls=(\\d+)").matcher(redis("INFO", "commandstats"));
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }

    private static String redis(String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("redis-cli", "-h", "localhost", "-p", "6379"));
        args.addAll(List.of(command));
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return "\n" + out.replace("\r", "");
    }
}

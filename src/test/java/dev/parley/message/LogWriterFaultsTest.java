package dev.parley.message;

import static dev.parley.testsupport.Frames.frame;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.Metrics;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

/**
 * The write path under failures made real in PostgreSQL: a trigger that breaks one send's statement,
 * a deadlock reported once, a room deleted and a member removed while a batch waits for its lock.
 * Each time only the sends concerned fail; every other send of the batch is stored.
 */
@QuarkusTest
class LogWriterFaultsTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void aBatchThatFailsAsAWholeIsWrittenOneByOneSoOnlyTheBadSendFails() throws Exception {
        String poison = "poison-" + UUID.randomUUID();
        TestUsers.TestUser owner = TestUsers.create("owner");
        String room = TestRooms.create(owner.token(), "public");
        double fallbacksBefore = Metrics.value("parley_batch_fallbacks_total");
        try (Connection db = DatabaseTestResource.connect(DatabaseTestResource.DATABASE);
                Statement sql = db.createStatement()) {
            sql.execute("create or replace function parley_test_poison() returns trigger language plpgsql as $$ begin "
                    + "if new.text = '" + poison + "' then raise exception 'poisoned send'; end if; return new; end $$");
            sql.execute("create trigger parley_test_poison before insert on messages for each row "
                    + "execute function parley_test_poison()");
            try {
                List<WsClient> clients = connect(3);
                try {
                    sendPipelined(clients, room, 30, (c, i) -> c == 1 && i == 15 ? poison : "fine");
                    for (int c = 0; c < clients.size(); c++) {
                        for (int i = 0; i < 30; i++) {
                            JsonNode answer = answer(clients.get(c), c, i);
                            if (c == 1 && i == 15) {
                                assertThat(answer.path("code").asText()).as(answer.toString()).isEqualTo("internal");
                            } else {
                                assertThat(answer.path("type").asText()).as(answer.toString()).isEqualTo("ok");
                            }
                        }
                    }
                } finally {
                    clients.forEach(WsClient::close);
                }
            } finally {
                sql.execute("drop trigger parley_test_poison on messages");
            }
        }
        assertThat(Metrics.value("parley_batch_fallbacks_total")).isGreaterThan(fallbacksBefore);
        assertGapless(owner, room, 89);
    }

    @Test
    void aDeadlockReportedOnceIsResolvedByWritingTheBatchAgainOneByOne() throws Exception {
        String marked = "deadlock-" + UUID.randomUUID();
        TestUsers.TestUser owner = TestUsers.create("owner");
        String room = TestRooms.create(owner.token(), "public");
        try (Connection db = DatabaseTestResource.connect(DatabaseTestResource.DATABASE);
                Statement sql = db.createStatement()) {
            // a sequence, unlike a table, keeps counting through the rollback the error causes
            sql.execute("create sequence if not exists parley_test_deadlocks");
            sql.execute("create or replace function parley_test_deadlock() returns trigger language plpgsql as $$ begin "
                    + "if new.text = '" + marked + "' and nextval('parley_test_deadlocks') = 1 then "
                    + "raise exception 'deadlock detected' using errcode = '40P01'; end if; return new; end $$");
            sql.execute("alter sequence parley_test_deadlocks restart");
            sql.execute("create trigger parley_test_deadlock before insert on messages for each row "
                    + "execute function parley_test_deadlock()");
            try {
                List<WsClient> clients = connect(3);
                try {
                    sendPipelined(clients, room, 30, (c, i) -> c == 2 && i == 10 ? marked : "fine");
                    for (int c = 0; c < clients.size(); c++) {
                        for (int i = 0; i < 30; i++) {
                            JsonNode answer = answer(clients.get(c), c, i);
                            assertThat(answer.path("type").asText()).as(answer.toString()).isEqualTo("ok");
                        }
                    }
                } finally {
                    clients.forEach(WsClient::close);
                }
            } finally {
                sql.execute("drop trigger parley_test_deadlock on messages");
            }
        }
        assertGapless(owner, room, 90);
    }

    @Test
    void aRoomWaitingForItsLockHoldsUpNoOtherRoomAndKeepsItsOwnOrder() throws Exception {
        TestUsers.TestUser owner = TestUsers.create("owner");
        String stuck = TestRooms.create(owner.token(), "public");
        String free = TestRooms.create(owner.token(), "public");
        try (WsClient client = WsClient.connectWithHeader(ws, owner.token());
                Connection db = DatabaseTestResource.connect(DatabaseTestResource.DATABASE)) {
            lock(db, stuck);
            client.send(frame("send", "s0", "room", stuck, "text", "s0"));
            awaitWaitingOnLock();
            for (int i = 1; i < 5; i++) {
                client.send(frame("send", "s" + i, "room", stuck, "text", "s" + i));
                client.send(frame("send", "f" + i, "room", free, "text", "f" + i));
            }
            // the other room's batches go past the one that waits
            for (int i = 1; i < 5; i++) {
                String f = "f" + i;
                assertThat(client.awaitFrame(x -> f.equals(x.path("id").asText())).path("seq").asLong()).isEqualTo(i);
            }
            db.commit();
            for (int i = 0; i < 5; i++) {
                String id = "s" + i;
                assertThat(client.awaitFrame(x -> id.equals(x.path("id").asText())).path("seq").asLong()).isEqualTo(i + 1);
            }
        }
        List<String> texts = given().auth().oauth2(owner.token()).get("/api/rooms/" + stuck + "/messages?limit=10")
                .then().statusCode(200).extract().path("messages.text");
        assertThat(texts).containsExactly("s0", "s1", "s2", "s3", "s4");
        assertGapless(owner, free, 4);
    }

    @Test
    void aMemberRemovedWhileTheirSendWaitsForTheRoomCannotPost() throws Exception {
        TestUsers.TestUser owner = TestUsers.create("owner");
        TestUsers.TestUser member = TestUsers.create("member");
        String room = TestRooms.create(owner.token(), "private");
        TestRooms.invite(owner.token(), room, member.username());
        try (WsClient client = WsClient.connectWithHeader(ws, member.token());
                Connection db = DatabaseTestResource.connect(DatabaseTestResource.DATABASE)) {
            lock(db, room);
            client.send(frame("send", "late", "room", room, "text", "after my removal"));
            awaitWaitingOnLock();
            try (Statement sql = db.createStatement()) {
                sql.execute("delete from memberships where room_id = '" + room + "' and user_id = '" + member.id() + "'");
            }
            db.commit();
            JsonNode answer = client.awaitFrame(f -> "late".equals(f.path("id").asText()));
            assertThat(answer.path("code").asText()).as(answer.toString()).isEqualTo("forbidden");
        }
        assertThat(given().auth().oauth2(owner.token()).get("/api/rooms/" + room).then().extract()
                .<Integer>path("lastSeq")).isZero();
    }

    private interface TextOf {
        String text(int client, int index);
    }

    private List<WsClient> connect(int n) {
        List<WsClient> clients = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            clients.add(WsClient.connectWithHeader(ws, TestUsers.create("c" + c).token()));
        }
        return clients;
    }

    // Interleaved across connections and sent without waiting, so that they share batches.
    private static void sendPipelined(List<WsClient> clients, String room, int perClient, TextOf text) {
        for (int i = 0; i < perClient; i++) {
            for (int c = 0; c < clients.size(); c++) {
                clients.get(c).send(frame("send", "c" + c + "-" + i, "room", room, "text", text.text(c, i)));
            }
        }
    }

    private static JsonNode answer(WsClient client, int c, int i) {
        String id = "c" + c + "-" + i;
        return client.awaitFrame(f -> id.equals(f.path("id").asText()));
    }

    static void assertGapless(TestUsers.TestUser reader, String room, int count) {
        List<Integer> seqs = given().auth().oauth2(reader.token()).get("/api/rooms/" + room + "/messages?limit=200")
                .then().statusCode(200).extract().path("messages.seq");
        assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, count).mapToObj(l -> (int) l).toList());
    }

    static void lock(Connection db, String room) throws SQLException {
        db.setAutoCommit(false);
        try (Statement sql = db.createStatement()) {
            sql.execute("select id from rooms where id = '" + room + "' for update");
        }
    }

    // Until a query of the application waits for a row lock held by the test.
    static void awaitWaitingOnLock() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            try (Connection db = DatabaseTestResource.connect(DatabaseTestResource.DATABASE);
                    Statement sql = db.createStatement();
                    var rows = sql.executeQuery("select count(*) from pg_stat_activity where datname = '"
                            + DatabaseTestResource.DATABASE + "' and wait_event_type = 'Lock'")) {
                rows.next();
                return rows.getInt(1) > 0;
            }
        });
    }
}

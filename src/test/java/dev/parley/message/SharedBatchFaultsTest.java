package dev.parley.message;

import static dev.parley.message.LogWriterFaultsTest.assertGapless;
import static dev.parley.message.LogWriterFaultsTest.awaitWaitingOnLock;
import static dev.parley.message.LogWriterFaultsTest.lock;
import static dev.parley.testsupport.Frames.frame;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

/**
 * A batch that holds several rooms' changes when one of its rooms goes away under it: with one
 * batch in flight at a time, the changes of the rooms that wait for it share the next batch.
 */
@QuarkusTest
@TestProfile(SharedBatchFaultsTest.OneBatchAtATime.class)
class SharedBatchFaultsTest {

    public static class OneBatchAtATime implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.batch.parallel", "1");
        }
    }

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void aRoomDeletedWhileItsBatchWaitsFailsOnlyItsOwnSends() throws Exception {
        TestUsers.TestUser owner = TestUsers.create("owner");
        String blocker = TestRooms.create(owner.token(), "public");
        String doomed = TestRooms.create(owner.token(), "public");
        String kept = TestRooms.create(owner.token(), "public");
        try (WsClient client = WsClient.connectWithHeader(ws, owner.token());
                Connection first = DatabaseTestResource.connect(DatabaseTestResource.DATABASE);
                Connection second = DatabaseTestResource.connect(DatabaseTestResource.DATABASE)) {
            // the batch in flight waits on "blocker"; the next one gathers sends to both rooms (one
            // batch at a time in this profile: with more, the two rooms' sends would not share one)
            lock(first, blocker);
            client.send(frame("send", "b", "room", blocker, "text", "first batch"));
            awaitWaitingOnLock();
            for (int i = 0; i < 5; i++) {
                client.send(frame("send", "d" + i, "room", doomed, "text", "to the doomed room"));
                client.send(frame("send", "k" + i, "room", kept, "text", "to the kept room"));
            }
            lock(second, doomed);
            first.commit(); // the first batch goes; the second now waits on "doomed"
            assertThat(client.awaitFrame(f -> "b".equals(f.path("id").asText())).path("type").asText()).isEqualTo("ok");
            awaitWaitingOnLock();
            try (Statement sql = second.createStatement()) {
                sql.execute("delete from rooms where id = '" + doomed + "'");
            }
            second.commit();
            for (int i = 0; i < 5; i++) {
                String d = "d" + i;
                String k = "k" + i;
                assertThat(client.awaitFrame(f -> d.equals(f.path("id").asText())).path("code").asText())
                        .isEqualTo("not_found");
                assertThat(client.awaitFrame(f -> k.equals(f.path("id").asText())).path("type").asText())
                        .isEqualTo("ok");
            }
        }
        assertGapless(owner, kept, 5);
    }
}

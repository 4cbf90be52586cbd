package dev.parley.message;

import static dev.parley.testsupport.Frames.frame;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.testsupport.Metrics;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

/**
 * Sends pipelined on several connections land in shared batches: each send still gets exactly its
 * own answer, seqs stay gapless per room, and one bad send in a batch fails alone.
 */
@QuarkusTest
class GroupCommitTest {


    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void pipelinedSendsAcrossRoomsAreGaplessAndEachAnswerMatchesItsSend() {
        TestUsers.TestUser owner = TestUsers.create("owner");
        List<String> rooms = List.of(TestRooms.create(owner.token(), "public"), TestRooms.create(owner.token(), "public"),
                TestRooms.create(owner.token(), "public"));
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int c = 0; c < 4; c++) {
                clients.add(WsClient.connectWithHeader(ws, TestUsers.create("p" + c).token()));
            }
            int perClient = 150;
            for (int i = 0; i < perClient; i++) {
                for (int c = 0; c < clients.size(); c++) {
                    String room = rooms.get((i + c) % rooms.size());
                    clients.get(c).send(frame("send", "c" + c + "-" + i, "room", room, "text", "c" + c + " i" + i));
                }
            }
            Map<String, List<Long>> seqsByRoom = new HashMap<>();
            for (int c = 0; c < clients.size(); c++) {
                Map<String, Long> lastPerRoom = new HashMap<>();
                for (int i = 0; i < perClient; i++) {
                    String id = "c" + c + "-" + i;
                    JsonNode ok = clients.get(c).awaitFrame(f -> id.equals(f.path("id").asText()));
                    assertThat(ok.path("type").asText()).as(ok.toString()).isEqualTo("ok");
                    String room = ok.path("room").asText();
                    assertThat(room).isEqualTo(rooms.get((i + c) % rooms.size()));
                    long seq = ok.path("seq").asLong();
                    // one connection's sends to one room keep their order
                    assertThat(seq).isGreaterThan(lastPerRoom.getOrDefault(room, 0L));
                    lastPerRoom.put(room, seq);
                    seqsByRoom.computeIfAbsent(room, r -> new ArrayList<>()).add(seq);
                }
            }
            int total = 0;
            for (String room : rooms) {
                List<Long> seqs = seqsByRoom.get(room);
                total += seqs.size();
                assertThat(seqs).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, seqs.size()).boxed().toList());
                List<Integer> stored = given().auth().oauth2(owner.token())
                        .get("/api/rooms/" + room + "/messages?limit=200").then().extract().path("messages.seq");
                assertThat(stored).hasSize(seqs.size());
            }
            assertThat(total).isEqualTo(clients.size() * perClient);
            // and they really were written in shared transactions, not one by one
            assertThat(Metrics.value("parley_batch_size_max")).isGreaterThan(1);
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    void aBadSendInABatchFailsAloneAndDuplicatesInsideABatchAreStoredOnce() {
        TestUsers.TestUser alice = TestUsers.create("alice");
        TestUsers.TestUser bob = TestUsers.create("bob");
        String open = TestRooms.create(alice.token(), "public");
        String secret = TestRooms.create(alice.token(), "private");
        try (WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            // all sent back to back, so they share batches
            for (int i = 0; i < 20; i++) {
                b.send(frame("send", "ok" + i, "room", open, "text", "fine " + i));
                b.send(frame("send", "no" + i, "room", secret, "text", "nope"));
                b.send(frame("send", "gone" + i, "room", "no-such-room", "text", "nope"));
                b.send(frame("send", "dup" + i, "room", open, "text", "same", "clientMsgId", "dup"));
            }
            List<Long> dupSeqs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String ok = "ok" + i;
                String no = "no" + i;
                String gone = "gone" + i;
                String dup = "dup" + i;
                assertThat(b.awaitFrame(f -> ok.equals(f.path("id").asText())).path("type").asText()).isEqualTo("ok");
                assertThat(b.awaitFrame(f -> no.equals(f.path("id").asText())).path("code").asText()).isEqualTo("forbidden");
                assertThat(b.awaitFrame(f -> gone.equals(f.path("id").asText())).path("code").asText()).isEqualTo("not_found");
                dupSeqs.add(b.awaitFrame(f -> dup.equals(f.path("id").asText())).path("seq").asLong());
            }
            assertThat(dupSeqs).containsOnly(dupSeqs.get(0));
        }
        // 20 plain messages and one for all the duplicates; bob joined the public room once
        assertThat(given().auth().oauth2(alice.token()).get("/api/rooms/" + open).then().extract()
                .<Integer>path("lastSeq")).isEqualTo(21);
        List<Integer> seqs = given().auth().oauth2(alice.token()).get("/api/rooms/" + open + "/messages?limit=200")
                .then().extract().path("messages.seq");
        assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, 21).mapToObj(l -> (int) l).toList());
        assertThat(given().auth().oauth2(alice.token()).get("/api/rooms/" + secret).then().extract()
                .<Integer>path("lastSeq")).isZero();
    }

}

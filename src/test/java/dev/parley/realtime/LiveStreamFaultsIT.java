package dev.parley.realtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.parley.testsupport.ChatTraffic;
import dev.parley.testsupport.Metrics;
import dev.parley.testsupport.ParleyProcess;
import dev.parley.testsupport.PostgresServer;
import dev.parley.testsupport.RedisServer;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.UnpublishedCommits;

/**
 * The live stream as a faithful copy of the log, under faults, against real processes: two
 * packaged instances, a private PostgreSQL and a private Redis that the tests stop, kill and cut.
 * Clients on both instances send (about 30 messages/s in all) and receive in three rooms; every
 * test ends by checking, per client and room, every entry once, in order, without gaps, and that
 * what was acknowledged is exactly what was stored. Each prints its figures (FAULT lines).
 */
class LiveStreamFaultsIT {

    private static final String DATABASE = "parley_faults";
    private static final Duration INTERVAL = Duration.ofMillis(130);

    private static PostgresServer postgres;
    private static RedisServer redis;
    private static Map<String, String> env;
    private static ParleyProcess a;
    private static ParleyProcess b;

    private ChatTraffic traffic;
    private List<String> rooms;
    private final List<ChatTraffic.Client> onA = new ArrayList<>();
    private final List<ChatTraffic.Client> onB = new ArrayList<>();

    @BeforeAll
    static void startEverything() {
        postgres = PostgresServer.start();
        postgres.createDatabase(DATABASE);
        redis = RedisServer.start();
        env = ParleyProcess.environment(DATABASE, redis);
        env.put("PARLEY_DB_PORT", String.valueOf(postgres.port()));
        env.put("PARLEY_DB_HOST", "127.0.0.1");
        a = ParleyProcess.start("faults-a", env);
        b = ParleyProcess.start("faults-b", env);
    }

    @AfterAll
    static void stopEverything() {
        ParleyProcess.stopAll(a, b, redis, postgres);
    }

    @BeforeEach
    void clientsOnBothInstances() {
        TestUser owner = a.register("owner");
        rooms = List.of(a.createRoom(owner.token()), a.createRoom(owner.token()), a.createRoom(owner.token()));
        traffic = new ChatTraffic(rooms);
        for (int i = 0; i < 2; i++) {
            onA.add(traffic.connect("a" + i, a.register("a" + i), a, b));
            onB.add(traffic.connect("b" + i, b.register("b" + i), b, a));
        }
    }

    @AfterEach
    void closeClientsAndRestoreTheInstances() {
        traffic.close();
        // a test that stopped an instance and failed before starting it again must not fail the next ones
        if (!b.isAlive()) {
            b = ParleyProcess.start("faults-b", env);
        }
    }

    @Test
    void aRedisStoppedAndStartedAgainLosesNothing() throws Exception {
        redisOutage("Redis stopped (SHUTDOWN) and started", redis::stop);
    }

    @Test
    void aRedisKilledAndStartedAgainLosesNothing() throws Exception {
        redisOutage("Redis killed (SIGKILL) and started", redis::kill);
    }

    @Test
    void oneInstancesSubscriberConnectionCutLosesNothing() throws Exception {
        traffic.start(INTERVAL);
        awaitAcks(60);
        List<String> subscribers = redis.subscriberConnections();
        assertThat(subscribers).hasSize(2);
        int before = traffic.acks().size();
        redis.killConnection(subscribers.get(0));
        awaitAcks(before + 60);
        traffic.stop();
        assertThat(traffic.clients()).as("nobody had to reconnect").allMatch(c -> c.reconnects() == 0);
        finish("one instance's Redis subscriber connection cut (CLIENT KILL)", before, -1, 0);
    }

    @Test
    void postgresqlStoppedAndStartedAnswersUnavailableAndStoresRetriesOnce() throws Exception {
        traffic.start(INTERVAL);
        awaitAcks(60);
        int before = traffic.acks().size();
        postgres.stop();
        long stopped = System.nanoTime();
        for (ParleyProcess instance : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().baseUri(instance.managementUrl())
                    .get("/q/health/ready").then().statusCode(503));
            given().baseUri(instance.managementUrl()).get("/q/health/live").then().statusCode(200);
        }
        // sends are refused (and retried by the clients) while the database is away: some 3 s of them
        await().atMost(Duration.ofSeconds(30)).until(() -> traffic.errors().getOrDefault("unavailable", 0) >= 60);
        int duringOutage = traffic.acks().size() - before;
        postgres.startAgain();
        long outage = System.nanoTime() - stopped;
        for (ParleyProcess instance : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().baseUri(instance.managementUrl())
                    .get("/q/health/ready").then().statusCode(200));
        }
        int after = traffic.acks().size();
        awaitAcks(after + 60);
        traffic.stop();
        // every send was answered, and only ever with unavailable: none left hanging, none internal
        assertThat(traffic.errors()).containsOnlyKeys("unavailable");
        assertThat(traffic.clients()).as("nobody had to reconnect").allMatch(c -> c.reconnects() == 0);
        finish("PostgreSQL stopped for " + outage / 1_000_000 + " ms and started", before, duringOutage, 0);
    }

    @Test
    void aTerminatedInstancesClientsResumeOnTheOtherAndItsSubscribersSeeEveryAcknowledgedMessage() throws Exception {
        traffic.start(INTERVAL);
        awaitAcks(60);
        int before = traffic.acks().size();
        b.terminate();
        assertThat(b.awaitExit(Duration.ofSeconds(30))).isTrue();
        awaitAcks(before + 60);
        traffic.stop();
        assertThat(onB).allMatch(c -> c.reconnects() == 1 && c.instance() == a);
        finish("SIGTERM of one instance mid-burst", before, -1, 0);
    }

    @Test
    void aKilledInstancesClientsResumeOnTheOtherAndACommitNeverPublishedStillArrives() throws Exception {
        traffic.start(INTERVAL);
        awaitAcks(60);
        int before = traffic.acks().size();
        b.kill();
        // an entry committed whose publish never happened, as when an instance dies between the two
        String unpublished = "unpublished-" + UUID.randomUUID();
        long seq = commitWithoutPublishing(rooms.get(0), unpublished);
        traffic.recordUnpublished(rooms.get(0), seq, unpublished);
        awaitAcks(before + 60);
        traffic.stop();
        assertThat(onB).allMatch(c -> c.reconnects() == 1 && c.instance() == a);
        finish("SIGKILL of one instance mid-burst, plus one entry committed and never published", before, -1, 0);
    }

    private void redisOutage(String what, Runnable fault) throws Exception {
        traffic.start(INTERVAL);
        awaitAcks(60);
        int before = traffic.acks().size();
        double failuresBefore = publishFailures();
        fault.run();
        // sends keep being acknowledged; readiness stays, wellness shows Redis down
        awaitAcks(before + 120);
        // and the publishes that could not reach Redis are counted
        assertThat(publishFailures()).isGreaterThan(failuresBefore);
        for (ParleyProcess instance : List.of(a, b)) {
            given().baseUri(instance.managementUrl()).get("/q/health/ready").then().statusCode(200);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().baseUri(instance.managementUrl())
                    .get("/q/health/well").then().statusCode(503));
        }
        int during = traffic.acks().size() - before;
        long back = System.nanoTime();
        redis.startAgain();
        // live delivery across instances is back within 3 s: a send acknowledged on one instance after
        // Redis returned reaches the clients of the other
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20))
                .until(() -> crossedSince(onA, onB, back) && crossedSince(onB, onA, back));
        long recovered = System.nanoTime() - back;
        awaitAcks(traffic.acks().size() + 60);
        traffic.stop();
        assertThat(traffic.clients()).as("nobody had to reconnect").allMatch(c -> c.reconnects() == 0);
        finish(what, before, during, recovered);
        for (ParleyProcess instance : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().baseUri(instance.managementUrl())
                    .get("/q/health/well").then().statusCode(200));
        }
    }

    // Whether a send acknowledged to a client of `from` after `since` has reached every client of `to`.
    private boolean crossedSince(List<ChatTraffic.Client> from, List<ChatTraffic.Client> to, long since) {
        List<String> senders = from.stream().map(ChatTraffic.Client::name).toList();
        return traffic.acks().stream().filter(ack -> ack.at() > since && senders.contains(ack.sender()))
                .anyMatch(ack -> to.stream().allMatch(c -> c.seqs(ack.room()).contains(ack.seq())));
    }

    // `during`: the sends acknowledged while the fault lasted, or -1 where it has no duration.
    private void finish(String what, int before, int during, long recoveredNanos) {
        traffic.awaitDelivered(Duration.ofSeconds(60));
        ChatTraffic.Figures figures = traffic.assertFaithful(this::stored);
        System.out.printf("FAULT %s: %d clients, %d sends acknowledged (%d before the fault%s), "
                + "0 lost, 0 duplicated, 0 out of order%s; retried answers %s; gaps filled from PostgreSQL: %s%n",
                what, figures.clients(), figures.acknowledged(), before,
                during >= 0 ? ", " + during + " during it" : "",
                recoveredNanos > 0 ? ", live across instances again " + recoveredNanos / 1_000_000 + " ms after Redis returned"
                        : "",
                traffic.errors(), repairs());
    }

    // publishes lost, both instances together
    private static double publishFailures() {
        return Metrics.value(a.managementUrl(), "parley_publish_failures_total")
                + Metrics.value(b.managementUrl(), "parley_publish_failures_total");
    }

    private static String repairs() {
        List<String> counts = new ArrayList<>();
        for (ParleyProcess instance : List.of(a, b)) {
            counts.add(instance.isAlive() ? String.valueOf((long) Metrics.value(instance.managementUrl(), "parley_live_repairs_total"))
                    : "(stopped)");
        }
        return String.join(" / ", counts);
    }

    private void awaitAcks(int count) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> traffic.acks().size() >= count);
    }

    // The clientMsgId of each stored entry of the room, by seq; and the seqs are 1..n.
    private List<String> stored(String room) {
        try (Connection db = postgres.connect(DATABASE);
                PreparedStatement q = db.prepareStatement("select seq, client_msg_id from messages where room_id = ? order by seq")) {
            q.setString(1, room);
            List<String> ids = new ArrayList<>();
            try (ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    assertThat(rows.getLong(1)).isEqualTo(ids.size() + 1);
                    ids.add(rows.getString(2));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long commitWithoutPublishing(String room, String clientMsgId) throws SQLException {
        try (Connection db = postgres.connect(DATABASE)) {
            return UnpublishedCommits.commit(db, room, clientMsgId);
        }
    }
}

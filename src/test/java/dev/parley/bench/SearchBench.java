package dev.parley.bench;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * search: {@code --messages} (1,000,000) messages over {@code --rooms} (20) public rooms, then
 * {@code --queries} (50) searches of each kind through {@code GET /api/search}, one at a time, timed
 * end to end. Only what the database lacks of {@code --messages} is added, so the measured run of
 * {@code .ci/bench-ab} searches the messages its warm-up run wrote (all rooms are public: every
 * search covers them all). The messages are written straight into the database ({@code --db-url}; 1 M sends
 * would take minutes and measure the write path, not search): eight words each from a vocabulary of
 * 1,000 ("w0" … "w999") with a skew, so that "w0" is in about half the messages and each of
 * "w900" … "w999" in about 0.3 %. PostgreSQL builds the search vectors and the GIN index on insert,
 * as for a send.
 */
final class SearchBench {

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    private final BenchApi api;
    private final Map<String, String> args;

    SearchBench(BenchApi api, Map<String, String> args) {
        this.api = api;
        this.args = args;
    }

    Map<String, Object> run() throws Exception {
        int total = Integer.parseInt(args.getOrDefault("messages", "1000000"));
        int roomCount = Integer.parseInt(args.getOrDefault("rooms", "20"));
        int queries = Integer.parseInt(args.getOrDefault("queries", "50"));
        String token = api.newUserToken("bench");
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < roomCount; i++) {
            rooms.add(api.newRoom(token));
        }
        Matcher me = ID.matcher(api.get("/api/me", token).body());
        if (!me.find()) {
            throw new IllegalStateException("GET /api/me gave no id");
        }
        long fillStart = System.nanoTime();
        long stored = fill(me.group(1), rooms, total);
        List<String> filled = filledRooms();
        double fillSeconds = (System.nanoTime() - fillStart) / 1e9;

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("messages", stored);
        r.put("rooms", roomCount);
        r.put("fillSeconds", Math.round(fillSeconds * 10) / 10.0);
        // kinds of query, from the rarest to the most common word; each asked with distinct words
        measure(r, "rare", queries, i -> "w" + (900 + i % 100), token);
        measure(r, "twoWords", queries, i -> "w" + (100 + i % 50) + " w" + (200 + i % 50), token);
        measure(r, "phrase", queries, i -> "\"w" + (i % 10) + " w" + (10 + i % 10) + "\"", token);
        measure(r, "common", queries, i -> "w" + (i % 3), token);
        measure(r, "none", queries, i -> "absent" + i, token);
        measure(r, "commonInRoom", queries, i -> "w" + (i % 3) + "&room=" + filled.get(i % filled.size()), token);
        return r;
    }

    private String dbUrl() {
        return args.getOrDefault("db-url", "jdbc:postgresql://127.0.0.1:5432/parley_bench_ab?user=postgres");
    }

    // The rooms that hold messages (this run's or an earlier run's).
    private List<String> filledRooms() throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection db = DriverManager.getConnection(dbUrl()); Statement sql = db.createStatement();
                var rows = sql.executeQuery("select id from rooms where message_count > 0 order by id limit 20")) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }

    // Tops the messages up to total; returns how many there are.
    private long fill(String userId, List<String> rooms, int total) throws Exception {
        try (Connection db = DriverManager.getConnection(dbUrl())) {
            long existing = count(db);
            int perRoom = (int) Math.max(0, (total - existing) / rooms.size());
            if (perRoom == 0) {
                return existing;
            }
            // the words are drawn per message (the subquery refers to g, so it is not evaluated once)
            try (PreparedStatement insert = db.prepareStatement("""
                    insert into messages (room_id, seq, sender_id, text, created_at, ord, sender_ord)
                    select r.id, g, ?, (select string_agg('w' || floor(1000 * power(random(), 3))::int, ' ')
                                          from generate_series(1, 8) w where g > 0),
                           now() - (? - g) * interval '10 ms', g, g
                      from unnest(?::text[]) as r(id) cross join generate_series(1, ?) as g""")) {
                insert.setString(1, userId);
                insert.setInt(2, perRoom);
                insert.setArray(3, db.createArrayOf("text", rooms.toArray()));
                insert.setInt(4, perRoom);
                insert.executeUpdate();
            }
            try (PreparedStatement counters = db.prepareStatement(
                    "update rooms set last_seq = ?, message_count = ? where id = any(?)")) {
                counters.setInt(1, perRoom);
                counters.setInt(2, perRoom);
                counters.setArray(3, db.createArrayOf("text", rooms.toArray()));
                counters.executeUpdate();
            }
            try (Statement sql = db.createStatement()) {
                sql.execute("analyze messages");
            }
            return count(db);
        }
    }

    private static long count(Connection db) throws Exception {
        try (Statement sql = db.createStatement(); var rows = sql.executeQuery("select count(*) from messages")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private void measure(Map<String, Object> r, String kind, int queries, java.util.function.IntFunction<String> query,
            String token) {
        LatencyRecorder latency = new LatencyRecorder();
        long hits = 0;
        for (int i = 0; i < queries + 5; i++) {
            String q = query.apply(i);
            int amp = q.indexOf("&room=");
            String path = "/api/search?limit=20&q=" + URLEncoder.encode(amp < 0 ? q : q.substring(0, amp), StandardCharsets.UTF_8)
                    + (amp < 0 ? "" : q.substring(amp));
            long t0 = System.nanoTime();
            HttpResponse<String> answer = api.get(path, token);
            long micros = (System.nanoTime() - t0) / 1000;
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("search " + q + " answered " + answer.statusCode() + ": " + answer.body());
            }
            if (i >= 5) { // the first few warm the server's and PostgreSQL's caches
                latency.record(micros);
                hits += countOf(answer.body());
            }
        }
        LatencyRecorder.Summary s = latency.summary();
        r.put(kind + "P50Ms", s.p50());
        r.put(kind + "P99Ms", s.p99());
        r.put(kind + "Results", hits / queries);
    }

    private static long countOf(String body) {
        return body.split("\"seq\"", -1).length - 1;
    }
}

package dev.parley.message;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.parley.auth.User;
import dev.parley.auth.UserView;
import dev.parley.wire.WireTime;

/**
 * The room log in SQL, on the reactive PostgreSQL client. {@link #append} is the only place where
 * an entry gets its {@code seq}: each room's {@code last_seq} is bumped by its count of new entries
 * in the same statement that inserts them, so a rolled-back transaction leaves no gap.
 */
@ApplicationScoped
public class MessageRepository {

    /** The columns {@link #view(Row)} reads, from {@code messages m} and {@code users u}. */
    private static final String VIEW_COLUMNS = """
            select m.room_id, m.seq, m.text, m.client_msg_id, m.created_at, m.edited_at, m.deleted,
                   u.id as user_id, u.username, coalesce(u.display_name, u.username) as shown_name, u.kind
            """;

    private static final String SELECT = VIEW_COLUMNS + " from messages m join users u on u.id = m.sender_id\n";

    /** The seqs given to appended entries, in the order given, and the commit-time timestamp they share. */
    public record Appended(long[] seqs, OffsetDateTime createdAt) {
    }

    /**
     * Appends entries to their rooms' logs, in the order given (one room's entries get consecutive
     * seqs in that order), in one statement. The caller holds the rooms' row locks.
     */
    public Uni<Appended> append(SqlClient tx, List<NewMessage> entries) {
        int n = entries.size();
        String[] rooms = new String[n];
        Long[] positions = new Long[n];
        String[] senders = new String[n];
        String[] texts = new String[n];
        String[] clientIds = new String[n];
        Map<String, Long> perRoom = new HashMap<>();
        for (int i = 0; i < n; i++) {
            NewMessage e = entries.get(i);
            rooms[i] = e.roomId();
            positions[i] = perRoom.merge(e.roomId(), 1L, Long::sum);
            senders[i] = e.sender().id();
            texts[i] = e.text();
            clientIds[i] = e.clientMsgId();
        }
        return tx.preparedQuery("""
                with e as (select * from unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[])
                                      as e(room_id, k, sender_id, text, client_msg_id)),
                bumped as (update rooms r set last_seq = r.last_seq + c.n
                             from (select room_id, count(*) as n from e group by room_id) c
                            where r.id = c.room_id
                        returning r.id, r.last_seq - c.n as base)
                insert into messages (room_id, seq, sender_id, text, client_msg_id, created_at)
                select e.room_id, b.base + e.k, e.sender_id, e.text, e.client_msg_id, date_trunc('milliseconds', now())
                  from e join bumped b on b.id = e.room_id
                returning room_id, seq, created_at""")
                .execute(Tuple.from(new Object[] { rooms, positions, senders, texts, clientIds }))
                .map(rows -> {
                    if (rows.rowCount() != n) {
                        throw new IllegalStateException("appended " + rows.rowCount() + " of " + n + " entries");
                    }
                    Map<String, Long> base = new HashMap<>();
                    OffsetDateTime at = null;
                    for (Row row : rows) {
                        base.merge(row.getString(0), row.getLong(1) - 1, Math::min);
                        at = row.getOffsetDateTime(2);
                    }
                    long[] seqs = new long[n];
                    for (int i = 0; i < n; i++) {
                        seqs[i] = base.get(rooms[i]) + positions[i];
                    }
                    return new Appended(seqs, at);
                });
    }

    /** The key that makes a send safe to retry: the same clientMsgId from the same sender in the same room. */
    public record RetryKey(String room, String sender, String clientMsgId) {
    }

    /** The stored messages of these retry keys, by key; keys never stored are absent. */
    public Uni<Map<RetryKey, MessageView>> findByRetryKeys(SqlClient client, List<RetryKey> keys) {
        String[] rooms = new String[keys.size()];
        String[] senders = new String[keys.size()];
        String[] ids = new String[keys.size()];
        for (int k = 0; k < keys.size(); k++) {
            rooms[k] = keys.get(k).room();
            senders[k] = keys.get(k).sender();
            ids[k] = keys.get(k).clientMsgId();
        }
        // One index probe of the unique key per clientMsgId: "limit 1" keeps the planner from
        // flattening the lateral subquery into a hash join that scans the whole table (seen:
        // throughput fell with every run as the table grew).
        return client.preparedQuery(VIEW_COLUMNS + """
                  from unnest($1::text[], $2::text[], $3::text[]) as k(room_id, sender_id, client_msg_id)
                  cross join lateral (select * from messages x
                                       where x.room_id = k.room_id and x.sender_id = k.sender_id
                                         and x.client_msg_id = k.client_msg_id limit 1) m
                  join users u on u.id = m.sender_id""")
                .execute(Tuple.of(rooms, senders, ids))
                .map(rows -> {
                    Map<RetryKey, MessageView> stored = new HashMap<>();
                    for (Row row : rows) {
                        MessageView m = view(row);
                        stored.put(new RetryKey(m.room(), m.user().id(), m.clientMsgId()), m);
                    }
                    return stored;
                });
    }

    /** The newest {@code limit + 1} with seq below {@code before} (or the newest overall), ascending. */
    public Uni<List<MessageView>> newest(SqlClient client, String roomId, Long before, int limit) {
        String sql = SELECT + " where m.room_id = $1" + (before == null ? "" : " and m.seq < $3")
                + " order by m.seq desc limit $2";
        Tuple args = before == null ? Tuple.of(roomId, limit + 1) : Tuple.of(roomId, limit + 1, before);
        return client.preparedQuery(sql).execute(args).map(rows -> {
            List<MessageView> list = views(rows);
            Collections.reverse(list);
            return list;
        });
    }

    /** The newest {@code limit + 1} with {@code after < seq <= upTo}, ascending. */
    public Uni<List<MessageView>> newestBetween(SqlClient client, String roomId, long after, long upTo, int limit) {
        return client.preparedQuery(SELECT
                + " where m.room_id = $1 and m.seq > $3 and m.seq <= $4 order by m.seq desc limit $2")
                .execute(Tuple.of(roomId, limit + 1, after, upTo))
                .map(rows -> {
                    List<MessageView> list = views(rows);
                    Collections.reverse(list);
                    return list;
                });
    }

    /** The oldest {@code limit + 1} with seq above {@code after}, ascending. */
    public Uni<List<MessageView>> oldestAfter(SqlClient client, String roomId, long after, int limit) {
        return client.preparedQuery(SELECT + " where m.room_id = $1 and m.seq > $3 order by m.seq asc limit $2")
                .execute(Tuple.of(roomId, limit + 1, after))
                .map(MessageRepository::views);
    }

    private static List<MessageView> views(RowSet<Row> rows) {
        List<MessageView> list = new ArrayList<>(rows.size());
        for (Row row : rows) {
            list.add(view(row));
        }
        return list;
    }

    private static MessageView view(Row row) {
        boolean deleted = row.getBoolean("deleted");
        return new MessageView(row.getString("room_id"), row.getLong("seq"),
                new UserView(row.getString("user_id"), row.getString("username"), row.getString("shown_name"),
                        User.KIND_BOT.equals(row.getString("kind"))),
                deleted ? "" : row.getString("text"), WireTime.format(row.getOffsetDateTime("created_at")),
                row.getString("client_msg_id"), WireTime.format(row.getOffsetDateTime("edited_at")),
                deleted ? Boolean.TRUE : null);
    }
}

package dev.parley.message;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.parley.auth.UserView;
import dev.parley.wire.WireTime;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * SQL of the message write and read paths, on the reactive PostgreSQL client: the seq is assigned
 * by bumping {@code rooms.last_seq} in the same statement that inserts the message, so the room
 * row lock orders concurrent senders and a rolled-back insert leaves no gap.
 */
@ApplicationScoped
public class MessageRepository {

    /** The columns {@link #view(Row)} reads, from {@code messages m} and {@code users u}. */
    static final String VIEW_COLUMNS = """
            select m.room_id, m.seq, m.text, m.client_msg_id, m.created_at, m.edited_at, m.deleted,
                   u.id as user_id, u.username, coalesce(u.display_name, u.username) as shown_name
            """;

    private static final String SELECT = VIEW_COLUMNS + " from messages m join users u on u.id = m.sender_id\n";

    public record Stored(long seq, OffsetDateTime createdAt) {
    }

    public Uni<Stored> insert(SqlClient tx, String roomId, String senderId, String text, String clientMsgId) {
        return tx.preparedQuery("""
                with bumped as (update rooms set last_seq = last_seq + 1 where id = $1 returning last_seq)
                insert into messages (room_id, seq, sender_id, text, client_msg_id, created_at)
                select $1, last_seq, $2, $3, $4, date_trunc('milliseconds', now()) from bumped
                returning seq, created_at""")
                .execute(Tuple.of(roomId, senderId, text, clientMsgId))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Stored(row.getLong(0), row.getOffsetDateTime(1));
                });
    }

    public Uni<MessageView> findByClientMsgId(SqlClient client, String roomId, String senderId, String clientMsgId) {
        return client.preparedQuery(SELECT + " where m.room_id = $1 and m.sender_id = $2 and m.client_msg_id = $3")
                .execute(Tuple.of(roomId, senderId, clientMsgId))
                .map(rows -> rows.iterator().hasNext() ? view(rows.iterator().next()) : null);
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

    static MessageView view(Row row) {
        boolean deleted = row.getBoolean("deleted");
        return new MessageView(row.getString("room_id"), row.getLong("seq"),
                new UserView(row.getString("user_id"), row.getString("username"), row.getString("shown_name")),
                deleted ? "" : row.getString("text"), WireTime.format(row.getOffsetDateTime("created_at")),
                row.getString("client_msg_id"), WireTime.format(row.getOffsetDateTime("edited_at")),
                deleted ? Boolean.TRUE : null);
    }
}

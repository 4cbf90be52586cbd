package dev.parley.room;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.parley.wire.WireTime;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The room queries that read across tables (rooms, memberships, read markers) in one statement.
 * Writes of rooms and memberships go through the Panache entities in {@link RoomService}.
 */
@ApplicationScoped
public class RoomRepository {

    private static final String VIEW_COLUMNS = """
            select r.id, r.name, r.visibility, r.topic, r.created_at, r.last_seq, m.role,
                   case when m.role is null then 0 else greatest(r.last_seq - coalesce(rm.seq, 0), 0) end as unread
              from rooms r
              left join memberships m on m.room_id = r.id and m.user_id = $1
              left join read_markers rm on rm.room_id = r.id and rm.user_id = $1
            """;

    private final Pool pool;

    public RoomRepository(Pool pool) {
        this.pool = pool;
    }

    /** Public rooms and the caller's private rooms, oldest first. */
    public Uni<List<RoomRequests.RoomView>> visibleTo(String userId) {
        return pool.preparedQuery(VIEW_COLUMNS + " where r.visibility = 'public' or m.role is not null order by r.created_at, r.id")
                .execute(Tuple.of(userId))
                .map(rows -> {
                    List<RoomRequests.RoomView> views = new ArrayList<>();
                    for (Row row : rows) {
                        views.add(view(row));
                    }
                    return views;
                });
    }

    /** The room as the caller sees it, or null when there is no such room. */
    public Uni<RoomRequests.RoomView> view(String userId, String roomId) {
        return pool.preparedQuery(VIEW_COLUMNS + " where r.id = $2")
                .execute(Tuple.of(userId, roomId))
                .map(rows -> rows.iterator().hasNext() ? view(rows.iterator().next()) : null);
    }

    /** The caller's access to the room, or null when there is no such room. */
    public Uni<RoomAccess> access(SqlClient client, String userId, String roomId) {
        return snapshot(client, userId, roomId).map(snapshot -> snapshot == null ? null : snapshot.access());
    }

    /**
     * The caller's access to the room together with its newest seq, in one round trip; null when
     * there is no such room.
     */
    public Uni<RoomSnapshot> snapshot(SqlClient client, String userId, String roomId) {
        return client.preparedQuery("""
                select r.visibility, m.role, r.last_seq from rooms r
                  left join memberships m on m.room_id = r.id and m.user_id = $2
                 where r.id = $1""")
                .execute(Tuple.of(roomId, userId))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    return new RoomSnapshot(new RoomAccess(roomId, Room.PUBLIC.equals(row.getString(0)),
                            Role.of(row.getString(1))), row.getLong(2));
                });
    }

    public Uni<RoomAccess> access(String userId, String roomId) {
        return access(pool, userId, roomId);
    }

    public Uni<RoomSnapshot> snapshot(String userId, String roomId) {
        return snapshot(pool, userId, roomId);
    }

    /** Makes the user a member of a public room; true when they were not one before. */
    public Uni<Boolean> join(SqlClient client, String roomId, String userId) {
        return client.preparedQuery("""
                insert into memberships (room_id, user_id, role, joined_at) values ($1, $2, 'member', now())
                on conflict do nothing""")
                .execute(Tuple.of(roomId, userId))
                .map(result -> result.rowCount() == 1);
    }

    public Uni<Boolean> join(String roomId, String userId) {
        return join(pool, roomId, userId);
    }

    private static RoomRequests.RoomView view(Row row) {
        return new RoomRequests.RoomView(row.getString("id"), row.getString("name"), row.getString("visibility"),
                row.getString("topic"), WireTime.format(row.getOffsetDateTime("created_at")), row.getLong("last_seq"),
                row.getString("role"), row.getLong("unread"));
    }
}

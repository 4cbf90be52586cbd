package dev.parley.room;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.parley.wire.WireTime;

/**
 * The room queries on the reactive client: views across tables (rooms, memberships, read markers),
 * the facts {@link RoomAccess} decides on, alone or for many (room, user) pairs in one statement,
 * and the row locks of the write path. Creating rooms and changing members go through the Panache
 * entities in {@link RoomService}.
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
    public Uni<List<RoomView>> visibleTo(String userId) {
        return pool.preparedQuery(VIEW_COLUMNS + " where r.visibility = 'public' or m.role is not null order by r.created_at, r.id")
                .execute(Tuple.of(userId))
                .map(rows -> {
                    List<RoomView> views = new ArrayList<>();
                    for (Row row : rows) {
                        views.add(view(row));
                    }
                    return views;
                });
    }

    /** The room as the caller sees it, or null when there is no such room. */
    public Uni<RoomView> view(String userId, String roomId) {
        return pool.preparedQuery(VIEW_COLUMNS + " where r.id = $2")
                .execute(Tuple.of(userId, roomId))
                .map(rows -> rows.iterator().hasNext() ? view(rows.iterator().next()) : null);
    }

    public Uni<RoomAccess> access(String userId, String roomId) {
        return snapshot(userId, roomId).map(RoomSnapshot::access);
    }

    /** The caller's access to the room together with its newest seq, in one round trip. */
    public Uni<RoomSnapshot> snapshot(String userId, String roomId) {
        return pool.preparedQuery("""
                select r.visibility, m.role, r.last_seq from rooms r
                  left join memberships m on m.room_id = r.id and m.user_id = $2
                 where r.id = $1""")
                .execute(Tuple.of(roomId, userId))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return new RoomSnapshot(RoomAccess.noSuchRoom(roomId), 0);
                    }
                    Row row = rows.iterator().next();
                    return new RoomSnapshot(new RoomAccess(roomId, row.getString(0), Role.of(row.getString(1))),
                            row.getLong(2));
                });
    }

    /** The access facts of each (room, user) pair, in the order given, in one statement. */
    public Uni<List<RoomAccess>> accessAll(SqlClient client, String[] roomIds, String[] userIds) {
        return client.preparedQuery("""
                select p.room_id, r.visibility, m.role
                  from unnest($1::text[], $2::text[]) with ordinality as p(room_id, user_id, ord)
                  left join rooms r on r.id = p.room_id
                  left join memberships m on m.room_id = p.room_id and m.user_id = p.user_id
                 order by p.ord""")
                .execute(Tuple.of(roomIds, userIds))
                .map(rows -> {
                    List<RoomAccess> access = new ArrayList<>(roomIds.length);
                    for (Row row : rows) {
                        access.add(new RoomAccess(row.getString(0), row.getString(1), Role.of(row.getString(2))));
                    }
                    return access;
                });
    }

    public Uni<List<RoomAccess>> accessAll(String[] roomIds, String[] userIds) {
        return accessAll(pool, roomIds, userIds);
    }

    /** The newest seq of each room that exists, by room id. */
    public Uni<Map<String, Long>> lastSeqs(String[] roomIds) {
        return pool.preparedQuery("select id, last_seq from rooms where id = any($1)")
                .execute(Tuple.of((Object) roomIds))
                .map(rows -> {
                    Map<String, Long> seqs = new HashMap<>();
                    for (Row row : rows) {
                        seqs.put(row.getString(0), row.getLong(1));
                    }
                    return seqs;
                });
    }

    /**
     * Locks the rooms' rows for the rest of the transaction, in id order (so that two writers never
     * wait on each other in a circle). Every write to a room's log or membership takes this lock
     * first, so access read after it cannot change before the commit.
     */
    public Uni<Void> lock(SqlClient tx, String[] sortedRoomIds) {
        return tx.preparedQuery("select id from rooms where id = any($1) order by id for update")
                .execute(Tuple.of((Object) sortedRoomIds))
                .replaceWithVoid();
    }

    /** Makes the user a member of a public room; true when they were not one before. */
    public Uni<Boolean> join(String roomId, String userId) {
        return pool.preparedQuery("""
                insert into memberships (room_id, user_id, role, joined_at) values ($1, $2, 'member', now())
                on conflict do nothing""")
                .execute(Tuple.of(roomId, userId))
                .map(result -> result.rowCount() == 1);
    }

    /** Makes each (room, user) pair a member; returns the pairs that were not members before. */
    public Uni<List<String[]>> joinAll(SqlClient tx, String[] roomIds, String[] userIds) {
        return tx.preparedQuery("""
                insert into memberships (room_id, user_id, role, joined_at)
                select distinct room_id, user_id, 'member', now() from unnest($1::text[], $2::text[]) as j(room_id, user_id)
                on conflict do nothing
                returning room_id, user_id""")
                .execute(Tuple.of(roomIds, userIds))
                .map(rows -> {
                    List<String[]> joined = new ArrayList<>();
                    for (Row row : rows) {
                        joined.add(new String[] { row.getString(0), row.getString(1) });
                    }
                    return joined;
                });
    }

    private static RoomView view(Row row) {
        return new RoomView(row.getString("id"), row.getString("name"), row.getString("visibility"),
                row.getString("topic"), WireTime.format(row.getOffsetDateTime("created_at")), row.getLong("last_seq"),
                row.getString("role"), row.getLong("unread"));
    }
}

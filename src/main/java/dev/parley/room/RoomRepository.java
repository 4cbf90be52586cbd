package dev.parley.room;

import java.time.OffsetDateTime;
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

import dev.parley.auth.User;
import dev.parley.auth.UserView;
import dev.parley.wire.WireTime;

/**
 * The room queries on the reactive client: views across tables (rooms, memberships, read markers),
 * the facts {@link RoomAccess} decides on, alone or for many (room, user) pairs in one statement,
 * and the row locks of the write path. Creating rooms and changing members go through the Panache
 * entities in {@link RoomService}.
 */
@ApplicationScoped
public class RoomRepository {

    /**
     * For a member ($1 the user, joined as m) of room r with read marker rm: unread, the messages by
     * others after the marker that are not deleted, and mentions, those of them that mention the
     * member. Counted from counters (the room's messages, the member's, and both at the marker) and
     * the mentions index, never by looking through the log (V3__unread_counters_and_mentions.sql):
     * a lookup of "my last message" per room by the user id would, under the statement's generic
     * plan, walk the room's primary key (seen: 3 s for 200 rooms of 100k messages).
     */
    private static final String UNREAD = """
            left join lateral (select
                   r.message_count - coalesce(rm.ord_at, 0) - (m.sent_count - coalesce(rm.own_at, 0))
                   - (select count(*) from messages x where x.room_id = r.id and x.deleted and x.seq > coalesce(rm.seq, 0)
                        and x.sender_id <> $1) as unread,
                   (select count(*) from mentions n where n.user_id = $1 and n.room_id = r.id and n.seq > coalesce(rm.seq, 0))
                     as mentions
                 where m.role is not null) u on true
            """;

    // A direct room is named, for each of its two members, after the other one.
    private static final String VIEW_COLUMNS = """
            select r.id, r.visibility, r.topic, r.created_at, r.last_seq, m.role,
                   case when r.visibility = 'direct'
                        then (select coalesce(u.display_name, u.username) from memberships o join users u on u.id = o.user_id
                               where o.room_id = r.id and o.user_id <> $1 limit 1)
                        else r.name end as name,
                   coalesce(rm.seq, 0) as read_seq, coalesce(u.unread, 0) as unread, coalesce(u.mentions, 0) as mentions
              from rooms r
              left join memberships m on m.room_id = r.id and m.user_id = $1
              left join read_markers rm on rm.room_id = r.id and rm.user_id = $1
            """ + UNREAD;

    /** Whether a sanction of {@code kind} of the user in the room is in force (sanctions, V5). */
    private static String inForce(String kind, String room, String user) {
        return "exists (select 1 from sanctions s where s.room_id = " + room + " and s.user_id = " + user + " and s.kind = '"
                + kind + "' and (s.until is null or s.until > now()))";
    }

    private static RoomAccess access(String roomId, Row row, int first) {
        return new RoomAccess(roomId, row.getString(first), Role.of(row.getString(first + 1)), row.getBoolean(first + 2),
                row.getBoolean(first + 3));
    }

    private final Pool pool;

    public RoomRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * The rooms (r, with m the user's membership) user $1 may read, as {@link RoomAccess#canRead}
     * decides for one: public ones they are not banned from, and those they are a member of (a ban
     * ends the membership).
     */
    private static final String READABLE = "(r.visibility = 'public' and not " + inForce(Sanction.BAN, "r.id", "$1")
            + ") or m.role is not null";

    /**
     * A page of the public rooms the caller is not banned from and the caller's private and direct
     * rooms, oldest first (creation time, then id): the first {@code limit} after the room
     * {@code after}, or from the start when it is null. Null when {@code after} names no room.
     */
    public Uni<List<RoomView>> visibleTo(String userId, String after, int limit) {
        Uni<Object[]> cursor = after == null ? Uni.createFrom().item(new Object[] {null, null})
                : pool.preparedQuery("select created_at, id from rooms where id = $1").execute(Tuple.of(after))
                        .map(rows -> rows.iterator().hasNext()
                                ? new Object[] {rows.iterator().next().getValue(0), after} : null);
        return cursor.chain(key -> key == null ? Uni.createFrom().nullItem() : page(userId, key, limit));
    }

    private Uni<List<RoomView>> page(String userId, Object[] after, int limit) {
        return pool.preparedQuery(VIEW_COLUMNS + " where (" + READABLE + ")"
                + " and ($2::timestamptz is null or (r.created_at, r.id) > ($2, $3)) order by r.created_at, r.id limit $4")
                .execute(Tuple.of(userId, after[0], after[1], limit))
                .map(rows -> {
                    List<RoomView> views = new ArrayList<>();
                    for (Row row : rows) {
                        views.add(view(row));
                    }
                    return views;
                });
    }

    /** The ids of the rooms the user may read. */
    public Uni<String[]> readableIds(String userId) {
        return pool.preparedQuery("select r.id from rooms r left join memberships m on m.room_id = r.id and m.user_id = $1 where "
                + READABLE).execute(Tuple.of(userId)).map(rows -> {
                    String[] ids = new String[rows.size()];
                    int i = 0;
                    for (Row row : rows) {
                        ids[i++] = row.getString(0);
                    }
                    return ids;
                });
    }

    /** The ids of the rooms the user is a member of. */
    public Uni<List<String>> memberRoomIds(String userId) {
        return pool.preparedQuery("select room_id from memberships where user_id = $1").execute(Tuple.of(userId))
                .map(rows -> {
                    List<String> ids = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        ids.add(row.getString(0));
                    }
                    return ids;
                });
    }

    /** The room as the caller sees it, or null when there is no such room. */
    public Uni<RoomView> view(String userId, String roomId) {
        return pool.preparedQuery(VIEW_COLUMNS + " where r.id = $2")
                .execute(Tuple.of(userId, roomId))
                .map(rows -> rows.iterator().hasNext() ? view(rows.iterator().next()) : null);
    }

    public Uni<RoomAccess> access(String userId, String roomId) {
        return pool.preparedQuery("select r.visibility, m.role, " + inForce(Sanction.BAN, "r.id", "$2") + ", "
                + inForce(Sanction.MUTE, "r.id", "$2") + """
                         from rooms r
                         left join memberships m on m.room_id = r.id and m.user_id = $2
                        where r.id = $1""")
                .execute(Tuple.of(roomId, userId))
                .map(rows -> rows.iterator().hasNext() ? access(roomId, rows.iterator().next(), 0) : RoomAccess.noSuchRoom(roomId));
    }

    /** The caller's access to the room, its newest seq and the caller's unread counts, in one round trip. */
    public Uni<RoomSnapshot> snapshot(String userId, String roomId) {
        return pool.preparedQuery("select r.visibility, m.role, " + inForce(Sanction.BAN, "r.id", "$1") + ", "
                + inForce(Sanction.MUTE, "r.id", "$1") + """
                , r.last_seq, coalesce(rm.seq, 0), coalesce(u.unread, 0), coalesce(u.mentions, 0)
                  from rooms r
                  left join memberships m on m.room_id = r.id and m.user_id = $1
                  left join read_markers rm on rm.room_id = r.id and rm.user_id = $1
                """ + UNREAD + " where r.id = $2")
                .execute(Tuple.of(userId, roomId))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return new RoomSnapshot(RoomAccess.noSuchRoom(roomId), 0, 0, 0, 0);
                    }
                    Row row = rows.iterator().next();
                    return new RoomSnapshot(access(roomId, row, 0), row.getLong(4), row.getLong(5), row.getLong(6), row.getLong(7));
                });
    }

    /**
     * Moves the user's read marker of the room to {@code seq}, clamped to the room's newest seq, never
     * backwards; returns the marker now.
     */
    public Uni<Long> markRead(String roomId, String userId, long seq) {
        // The ordinals at the marker: of the room's last message up to it, and of the user's. A marker
        // at the room's end (the usual case) takes them from the counters; one in the middle looks the
        // user's up walking back from the marker, with a plan made for this user.
        return pool.withTransaction(tx -> tx.query("set local plan_cache_mode = force_custom_plan").execute()
                .chain(() -> tx.preparedQuery("""
                        with target as (select r.id, least($3, r.last_seq) as seq, r.last_seq, r.message_count,
                                               (select s.sent_count from memberships s where s.room_id = r.id and s.user_id = $2)
                                                 as sent_count
                                          from rooms r where r.id = $1),
                        at as (select t.id, t.seq,
                                      case when t.seq = t.last_seq then t.message_count
                                           else coalesce((select x.ord from messages x where x.room_id = t.id and x.seq <= t.seq
                                                           order by x.seq desc limit 1), 0) end as ord_at,
                                      case when t.seq = t.last_seq then coalesce(t.sent_count, 0)
                                           else coalesce((select x.sender_ord from messages x where x.room_id = t.id
                                                            and x.seq <= t.seq and x.sender_id = $2
                                                           order by x.seq desc limit 1), 0) end as own_at
                                 from target t)
                        insert into read_markers (room_id, user_id, seq, ord_at, own_at, updated_at)
                        select id, $2, seq, ord_at, own_at, now() from at
                        on conflict (room_id, user_id) do update
                           set seq = excluded.seq, ord_at = excluded.ord_at, own_at = excluded.own_at, updated_at = now()
                         where read_markers.seq < excluded.seq
                        returning seq""")
                        .execute(Tuple.of(roomId, userId, seq)))
                .chain(rows -> rows.iterator().hasNext() ? Uni.createFrom().item(rows.iterator().next().getLong(0))
                        : tx.preparedQuery("select seq from read_markers where room_id = $1 and user_id = $2")
                                .execute(Tuple.of(roomId, userId))
                                .map(current -> current.iterator().hasNext() ? current.iterator().next().getLong(0) : 0L)));
    }

    /** The access facts of each (room, user) pair, in the order given, in one statement. */
    public Uni<List<RoomAccess>> accessAll(SqlClient client, String[] roomIds, String[] userIds) {
        return client.preparedQuery("select p.room_id, r.visibility, m.role, " + inForce(Sanction.BAN, "p.room_id", "p.user_id")
                + ", " + inForce(Sanction.MUTE, "p.room_id", "p.user_id") + """

                  from unnest($1::text[], $2::text[]) with ordinality as p(room_id, user_id, ord)
                  left join rooms r on r.id = p.room_id
                  left join memberships m on m.room_id = p.room_id and m.user_id = p.user_id
                 order by p.ord""")
                .execute(Tuple.of(roomIds, userIds))
                .map(rows -> {
                    List<RoomAccess> access = new ArrayList<>(roomIds.length);
                    for (Row row : rows) {
                        access.add(access(row.getString(0), row, 1));
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

    /**
     * A page of the room's members with their roles, by username: the first {@code limit} after
     * {@code after}. Byte order ("C"), so that a client's cursor means the same on every database,
     * whatever its collation.
     */
    public Uni<List<RoomRequests.MemberView>> members(String roomId, String after, int limit) {
        return pool.preparedQuery("""
                select u.id, u.username, coalesce(u.display_name, u.username), u.kind, m.role
                  from memberships m join users u on u.id = m.user_id
                 where m.room_id = $1 and ($2::text is null or u.username collate "C" > $2)
                 order by u.username collate "C" limit $3""")
                .execute(Tuple.of(roomId, after, limit))
                .map(rows -> {
                    List<RoomRequests.MemberView> members = new ArrayList<>();
                    for (Row row : rows) {
                        members.add(new RoomRequests.MemberView(roomId, new UserView(row.getString(0), row.getString(1),
                                row.getString(2), User.KIND_BOT.equals(row.getString(3))), row.getString(4)));
                    }
                    return members;
                });
    }

    /** The bans (or mutes) of the room in force now, the newest first. */
    public Uni<List<RoomRequests.SanctionView>> sanctions(String roomId, String kind) {
        return pool.preparedQuery("""
                select u.id, u.username, coalesce(u.display_name, u.username), u.kind, s.reason, s.until,
                       b.username, s.created_at
                  from sanctions s join users u on u.id = s.user_id
                  left join users b on b.id = s.created_by
                 where s.room_id = $1 and s.kind = $2 and (s.until is null or s.until > now())
                 order by s.created_at desc, u.username collate "C" limit 1000""")
                .execute(Tuple.of(roomId, kind))
                .map(rows -> {
                    List<RoomRequests.SanctionView> found = new ArrayList<>();
                    for (Row row : rows) {
                        UserView user = new UserView(row.getString(0), row.getString(1), row.getString(2),
                                User.KIND_BOT.equals(row.getString(3)));
                        OffsetDateTime until = row.getOffsetDateTime(5);
                        found.add(new RoomRequests.SanctionView(roomId, user, kind, row.getString(4),
                                until == null ? null : WireTime.format(until), row.getString(6),
                                WireTime.format(row.getOffsetDateTime(7))));
                    }
                    return found;
                });
    }

    /** A member found by name: the (room, lower-case username) asked for and the user. */
    public record NamedMember(String room, String name, UserView user) {
    }

    /** Which of the (room, lower-case username) pairs name a member of that room, in one statement. */
    public Uni<List<NamedMember>> membersNamed(SqlClient client, String[] roomIds, String[] names) {
        return client.preparedQuery("""
                select p.room_id, p.name, u.id, u.username, coalesce(u.display_name, u.username), u.kind
                  from unnest($1::text[], $2::text[]) as p(room_id, name)
                  join users u on lower(u.username) = p.name
                  join memberships m on m.room_id = p.room_id and m.user_id = u.id""")
                .execute(Tuple.of(roomIds, names))
                .map(rows -> {
                    List<NamedMember> found = new ArrayList<>();
                    for (Row row : rows) {
                        found.add(new NamedMember(row.getString(0), row.getString(1), new UserView(row.getString(2),
                                row.getString(3), row.getString(4), User.KIND_BOT.equals(row.getString(5)))));
                    }
                    return found;
                });
    }

    /** The id of the direct room with this key, or null when there is none yet. */
    public Uni<String> findDirect(String dmKey) {
        return pool.preparedQuery("select id from rooms where dm_key = $1").execute(Tuple.of(dmKey))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
    }

    /**
     * The direct room of two users, created with both as members if there is none: one statement
     * that two concurrent calls (from either side) cannot both create, since {@code dm_key} is unique.
     * Returns the room's id and whether this call created it.
     */
    public Uni<String[]> directRoom(String dmKey, String newId, String firstUser, String secondUser) {
        return pool.withTransaction(tx -> tx.preparedQuery("""
                insert into rooms (id, name, visibility, dm_key, created_by, created_at)
                values ($1, 'direct', 'direct', $2, $3, now())
                on conflict (dm_key) do nothing returning id""")
                .execute(Tuple.of(newId, dmKey, firstUser))
                .chain(inserted -> {
                    if (inserted.size() == 0) {
                        return tx.preparedQuery("select id from rooms where dm_key = $1").execute(Tuple.of(dmKey))
                                .map(rows -> new String[] { rows.iterator().next().getString(0), "false" });
                    }
                    return tx.preparedQuery("""
                            insert into memberships (room_id, user_id, role, joined_at)
                            values ($1, $2, 'member', now()), ($1, $3, 'member', now())""")
                            .execute(Tuple.of(newId, firstUser, secondUser))
                            .map(done -> new String[] { newId, "true" });
                }));
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
                row.getString("role"), row.getLong("read_seq"), row.getLong("unread"), row.getLong("mentions"));
    }
}

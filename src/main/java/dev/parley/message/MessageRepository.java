package dev.parley.message;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.parley.auth.User;
import dev.parley.auth.UserView;
import dev.parley.fanout.EventType;
import dev.parley.wire.WireTime;

/**
 * The room log in SQL, on the reactive PostgreSQL client. {@link #append} is the only place where
 * an entry gets its {@code seq}: each room's {@code last_seq} is bumped by its count of new entries
 * in the same statement that inserts them (messages into {@code messages}, edits, deletions and
 * reactions into {@code log_entries}), so a rolled-back transaction leaves no gap. The reads show
 * every message in its current state.
 */
@ApplicationScoped
public class MessageRepository {

    private static final String MESSAGE_COLUMNS = """
            m.room_id, m.seq, m.text, m.client_msg_id, m.created_at, m.edited_at, m.deleted, m.reply_to, m.mentions,
            u.id as user_id, u.username, coalesce(u.display_name, u.username) as shown_name, u.kind,
            a.id as attachment_id, a.name as attachment_name, a.size as attachment_size, a.content_type as attachment_type
            """;

    private static final String SELECT = "select " + MESSAGE_COLUMNS + """
             from messages m join users u on u.id = m.sender_id left join attachments a on a.id = m.attachment_id
            """;

    /** A message's place: its room and seq. */
    public record RoomSeq(String room, long seq) {
    }

    /** One entry to append; for a message, {@code mentions} are user ids. */
    public record LogRow(String room, String kind, String userId, String text, String clientMsgId, long target,
            String emoji, Boolean on, Long replyTo, List<String> mentions, String attachmentId) {
    }

    /** The seqs given to appended entries, in the order given, and the commit-time timestamp they share. */
    public record Appended(long[] seqs, OffsetDateTime at) {
    }

    /**
     * Appends entries to their rooms' logs, in the order given (one room's entries get consecutive
     * seqs in that order), in one statement. The caller holds the rooms' row locks.
     */
    public Uni<Appended> append(SqlClient tx, List<LogRow> entries) {
        int n = entries.size();
        String[] rooms = new String[n];
        Long[] positions = new Long[n];
        String[] kinds = new String[n];
        String[] users = new String[n];
        String[] texts = new String[n];
        String[] clientIds = new String[n];
        Long[] targets = new Long[n];
        String[] emojis = new String[n];
        Boolean[] ons = new Boolean[n];
        Long[] replyTos = new Long[n];
        String[] mentions = new String[n];
        Long[] messagePositions = new Long[n];
        Long[] senderPositions = new Long[n];
        String[] attachments = new String[n];
        Map<String, Long> perRoom = new HashMap<>();
        Map<String, Long> messagesPerRoom = new HashMap<>();
        Map<String, Long> perSender = new HashMap<>();
        for (int i = 0; i < n; i++) {
            LogRow e = entries.get(i);
            rooms[i] = e.room();
            positions[i] = perRoom.merge(e.room(), 1L, Long::sum);
            if ("message".equals(e.kind())) {
                messagePositions[i] = messagesPerRoom.merge(e.room(), 1L, Long::sum);
                senderPositions[i] = perSender.merge(e.room() + ' ' + e.userId(), 1L, Long::sum);
            }
            kinds[i] = e.kind();
            users[i] = e.userId();
            texts[i] = e.text();
            clientIds[i] = e.clientMsgId();
            targets[i] = e.target();
            emojis[i] = e.emoji();
            ons[i] = e.on();
            replyTos[i] = e.replyTo();
            mentions[i] = e.mentions() == null || e.mentions().isEmpty() ? null : String.join(",", e.mentions());
            attachments[i] = e.attachmentId();
        }
        // seq: the room's next; ord and sender_ord: the message's ordinals among the room's messages
        // and its sender's (for unread counts); all from counters bumped here, under the rooms' locks.
        return tx.preparedQuery("""
                with e as (select * from unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[],
                                                $7::int8[], $8::text[], $9::bool[], $10::int8[], $11::text[], $12::int8[],
                                                $13::int8[], $14::text[])
                                      as e(room_id, k, kind, user_id, text, client_msg_id, target, emoji, reaction_on,
                                           reply_to, mentions, mk, sk, attachment_id)),
                bumped as (update rooms r set last_seq = r.last_seq + c.n, message_count = r.message_count + c.m
                             from (select room_id, count(*) as n, count(*) filter (where kind = 'message') as m
                                     from e group by room_id) c
                            where r.id = c.room_id
                        returning r.id, r.last_seq - c.n as base, r.message_count - c.m as message_base),
                messages_added as (
                    insert into messages (room_id, seq, sender_id, text, client_msg_id, created_at, reply_to, mentions,
                                          ord, sender_ord, attachment_id)
                    select e.room_id, b.base + e.k, e.user_id, e.text, e.client_msg_id, date_trunc('milliseconds', now()),
                           e.reply_to, string_to_array(e.mentions, ','), b.message_base + e.mk,
                           coalesce((select s.sent_count from memberships s where s.room_id = e.room_id and s.user_id = e.user_id),
                                    0) + e.sk, e.attachment_id
                      from e join bumped b on b.id = e.room_id where e.kind = 'message'
                    returning room_id, seq, sender_id, mentions),
                senders_counted as (
                    update memberships s set sent_count = s.sent_count + c.n
                      from (select room_id, user_id, count(*) as n from e where kind = 'message' group by room_id, user_id) c
                     where s.room_id = c.room_id and s.user_id = c.user_id
                    returning 1),
                mentions_added as (
                    insert into mentions (user_id, room_id, seq)
                    select distinct n.user_id, a.room_id, a.seq
                      from messages_added a cross join lateral unnest(a.mentions) as n(user_id)
                     where n.user_id <> a.sender_id
                    returning 1),
                entries_added as (
                    insert into log_entries (room_id, seq, kind, target, user_id, emoji, reaction_on, created_at)
                    select e.room_id, b.base + e.k, e.kind, e.target, e.user_id, e.emoji, e.reaction_on,
                           date_trunc('milliseconds', now())
                      from e join bumped b on b.id = e.room_id where e.kind <> 'message'
                    returning 1)
                select b.id, b.base, date_trunc('milliseconds', now()),
                       (select count(*) from messages_added) + (select count(*) from entries_added),
                       (select count(*) from mentions_added), (select count(*) from senders_counted)
                  from bumped b""")
                .execute(Tuple.from(new Object[] { rooms, positions, kinds, users, texts, clientIds, targets, emojis, ons,
                        replyTos, mentions, messagePositions, senderPositions, attachments }))
                .map(rows -> {
                    Map<String, Long> base = new HashMap<>();
                    OffsetDateTime at = null;
                    long added = 0;
                    for (Row row : rows) {
                        base.put(row.getString(0), row.getLong(1));
                        at = row.getOffsetDateTime(2);
                        added = row.getLong(3);
                    }
                    if (added != n) {
                        throw new IllegalStateException("appended " + added + " of " + n + " entries");
                    }
                    long[] seqs = new long[n];
                    for (int i = 0; i < n; i++) {
                        seqs[i] = base.get(rooms[i]) + positions[i];
                    }
                    return new Appended(seqs, at);
                });
    }

    /** What a change needs to know of the message it acts on. */
    public record Target(String author, boolean deleted) {
    }

    /** The messages at these places, those that exist. */
    public Uni<Map<RoomSeq, Target>> targets(SqlClient client, Set<RoomSeq> places) {
        String[] rooms = places.stream().map(RoomSeq::room).toArray(String[]::new);
        Long[] seqs = places.stream().map(RoomSeq::seq).toArray(Long[]::new);
        return client.preparedQuery("""
                select m.room_id, m.seq, m.sender_id, m.deleted
                  from unnest($1::text[], $2::int8[]) as t(room_id, seq)
                  join messages m on m.room_id = t.room_id and m.seq = t.seq""")
                .execute(Tuple.of(rooms, seqs))
                .map(rows -> {
                    Map<RoomSeq, Target> found = new HashMap<>();
                    for (Row row : rows) {
                        found.put(new RoomSeq(row.getString(0), row.getLong(1)), new Target(row.getString(2), row.getBoolean(3)));
                    }
                    return found;
                });
    }

    /** One user's reaction with one emoji to one message. */
    public record ReactionKey(String room, long seq, String user, String emoji) {
    }

    /** Which of these reactions exist. */
    public Uni<Set<ReactionKey>> reactionsPresent(SqlClient client, Set<ReactionKey> keys) {
        return client.preparedQuery("""
                select r.room_id, r.seq, r.user_id, r.emoji
                  from unnest($1::text[], $2::int8[], $3::text[], $4::text[]) as k(room_id, seq, user_id, emoji)
                  join reactions r on r.room_id = k.room_id and r.seq = k.seq and r.user_id = k.user_id and r.emoji = k.emoji""")
                .execute(reactionArgs(keys))
                .map(rows -> {
                    Set<ReactionKey> present = new HashSet<>();
                    for (Row row : rows) {
                        present.add(new ReactionKey(row.getString(0), row.getLong(1), row.getString(2), row.getString(3)));
                    }
                    return present;
                });
    }

    /** The current state an edit leaves: the text, its mentions, the time of the edit. */
    public record EditedState(RoomSeq place, String text, List<String> mentions) {
    }

    /**
     * The edited messages' new text and mentions: two statements, to be sent in this order (the
     * second reads what the first leaves). {@code edited_at} is the transaction's time, that of the
     * edit entries appended in it.
     */
    public List<Uni<Void>> applyEdits(SqlClient tx, List<EditedState> edits) {
        String[] rooms = edits.stream().map(e -> e.place().room()).toArray(String[]::new);
        Long[] seqs = edits.stream().map(e -> e.place().seq()).toArray(Long[]::new);
        String[] texts = edits.stream().map(EditedState::text).toArray(String[]::new);
        String[] mentions = edits.stream().map(e -> e.mentions().isEmpty() ? null : String.join(",", e.mentions()))
                .toArray(String[]::new);
        Uni<Void> texted = tx.preparedQuery("""
                with u as (select * from unnest($1::text[], $2::int8[], $3::text[], $4::text[]) as u(room_id, seq, text, mentions)),
                edited as (update messages m set text = u.text, mentions = string_to_array(u.mentions, ','),
                                  edited_at = date_trunc('milliseconds', now())
                             from u where m.room_id = u.room_id and m.seq = u.seq returning 1),
                forgotten as (delete from mentions n using u where n.room_id = u.room_id and n.seq = u.seq returning 1)
                select (select count(*) from edited), (select count(*) from forgotten)""")
                .execute(Tuple.of(rooms, seqs, texts, mentions))
                .replaceWithVoid();
        Uni<Void> mentioned = tx.preparedQuery("""
                insert into mentions (user_id, room_id, seq)
                select distinct n.user_id, u.room_id, u.seq
                  from unnest($1::text[], $2::int8[], $3::text[]) as u(room_id, seq, mentions)
                  join messages m on m.room_id = u.room_id and m.seq = u.seq
                  cross join lateral unnest(string_to_array(u.mentions, ',')) as n(user_id)
                 where n.user_id <> m.sender_id""")
                .execute(Tuple.of(rooms, seqs, mentions))
                .replaceWithVoid();
        return List.of(texted, mentioned);
    }

    /** Erases deleted messages: the text and the attachment go, the message stays as a tombstone. */
    public List<Uni<Void>> applyDeletes(SqlClient tx, Set<RoomSeq> deleted) {
        String[] rooms = deleted.stream().map(RoomSeq::room).toArray(String[]::new);
        Long[] seqs = deleted.stream().map(RoomSeq::seq).toArray(Long[]::new);
        // the files go with their messages (their stored bytes with them: attachment_chunks cascade);
        // a statement of its own, because removing the row also clears messages.attachment_id
        Uni<Void> files = tx.preparedQuery("""
                delete from attachments x using unnest($1::text[], $2::int8[]) as d(room_id, seq), messages m
                 where m.room_id = d.room_id and m.seq = d.seq and x.id = m.attachment_id""")
                .execute(Tuple.of(rooms, seqs))
                .replaceWithVoid();
        return List.of(files, tx.preparedQuery("""
                with d as (select * from unnest($1::text[], $2::int8[]) as d(room_id, seq)),
                erased as (update messages m set text = '', mentions = null, attachment_id = null, deleted = true
                             from d where m.room_id = d.room_id and m.seq = d.seq returning 1),
                forgotten as (delete from mentions n using d where n.room_id = d.room_id and n.seq = d.seq returning 1)
                select (select count(*) from erased), (select count(*) from forgotten)""")
                .execute(Tuple.of(rooms, seqs))
                .replaceWithVoid());
    }

    public Uni<Void> addReactions(SqlClient tx, Set<ReactionKey> added) {
        return tx.preparedQuery("""
                insert into reactions (room_id, seq, user_id, emoji, created_at)
                select room_id, seq, user_id, emoji, now()
                  from unnest($1::text[], $2::int8[], $3::text[], $4::text[]) as k(room_id, seq, user_id, emoji)
                on conflict do nothing""")
                .execute(reactionArgs(added))
                .replaceWithVoid();
    }

    public Uni<Void> removeReactions(SqlClient tx, Set<ReactionKey> removed) {
        return tx.preparedQuery("""
                delete from reactions r
                 using unnest($1::text[], $2::int8[], $3::text[], $4::text[]) as k(room_id, seq, user_id, emoji)
                 where r.room_id = k.room_id and r.seq = k.seq and r.user_id = k.user_id and r.emoji = k.emoji""")
                .execute(reactionArgs(removed))
                .replaceWithVoid();
    }

    private static Tuple reactionArgs(Set<ReactionKey> keys) {
        return Tuple.of(keys.stream().map(ReactionKey::room).toArray(String[]::new),
                keys.stream().map(ReactionKey::seq).toArray(Long[]::new),
                keys.stream().map(ReactionKey::user).toArray(String[]::new),
                keys.stream().map(ReactionKey::emoji).toArray(String[]::new));
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
        return views(client, "select " + MESSAGE_COLUMNS + """
                  from unnest($1::text[], $2::text[], $3::text[]) as k(room_id, sender_id, client_msg_id)
                  cross join lateral (select * from messages x
                                       where x.room_id = k.room_id and x.sender_id = k.sender_id
                                         and x.client_msg_id = k.client_msg_id limit 1) m
                  join users u on u.id = m.sender_id
                  left join attachments a on a.id = m.attachment_id""", Tuple.of(rooms, senders, ids))
                .map(list -> {
                    Map<RetryKey, MessageView> stored = new HashMap<>();
                    for (MessageView m : list) {
                        stored.put(new RetryKey(m.room(), m.user().id(), m.clientMsgId()), m);
                    }
                    return stored;
                });
    }

    /**
     * The newest {@code limit + 1} messages with seq below {@code before} (or the newest overall),
     * ascending; with {@code replyTo}, only the replies to that message.
     */
    public Uni<List<MessageView>> newest(SqlClient client, String roomId, Long before, Long replyTo, int limit) {
        String sql = SELECT + " where m.room_id = $1 and ($3::int8 is null or m.seq < $3) and ($4::int8 is null or m.reply_to = $4)"
                + " order by m.seq desc limit $2";
        return views(client, sql, Tuple.of(roomId, limit + 1, before, replyTo)).map(list -> {
            Collections.reverse(list);
            return list;
        });
    }

    /** The oldest {@code limit + 1} messages with seq above {@code after}, ascending; {@code replyTo} as above. */
    public Uni<List<MessageView>> oldestAfter(SqlClient client, String roomId, long after, Long replyTo, int limit) {
        return views(client, SELECT + " where m.room_id = $1 and m.seq > $3 and ($4::int8 is null or m.reply_to = $4)"
                + " order by m.seq asc limit $2", Tuple.of(roomId, limit + 1, after, replyTo));
    }

    /**
     * The newest {@code limit + 1} messages of the rooms whose current text matches the web-search
     * style query (words, "phrases", -exclusions, or), deleted ones never; newest first, after the
     * message at ({@code afterRoom}, {@code afterSeq}) when given (the previous page's last one).
     */
    public Uni<List<MessageView>> search(SqlClient client, String[] roomIds, String query, String afterRoom, Long afterSeq,
            int limit) {
        return views(client, SELECT + """
                 where m.room_id = any($1) and m.search @@ websearch_to_tsquery('simple', $2) and not m.deleted
                   and ($3::text is null or (m.created_at, m.room_id, m.seq)
                        < (select c.created_at, c.room_id, c.seq from messages c where c.room_id = $3 and c.seq = $4))
                 order by m.created_at desc, m.room_id desc, m.seq desc limit $5""",
                Tuple.of(roomIds, query, afterRoom, afterSeq, limit + 1));
    }

    /** Whether the room has a message at {@code seq}. */
    public Uni<Boolean> exists(SqlClient client, String roomId, long seq) {
        return client.preparedQuery("select 1 from messages where room_id = $1 and seq = $2")
                .execute(Tuple.of(roomId, seq))
                .map(rows -> rows.size() > 0);
    }

    /**
     * The entries of every kind with {@code after < seq <= upTo}, ascending, at most {@code limit}
     * from the start ({@code newest} false) or the newest {@code limit} ({@code newest} true),
     * each showing the current state of what it acts on.
     */
    public Uni<List<LogEntryView.Entry>> entries(SqlClient client, String roomId, long after, long upTo, int limit,
            boolean newest) {
        String order = newest ? "desc" : "asc";
        Uni<List<MessageView>> messages = views(client, SELECT + " where m.room_id = $1 and m.seq > $2 and m.seq <= $3"
                + " order by m.seq " + order + " limit $4", Tuple.of(roomId, after, upTo, limit));
        Uni<RowSet<Row>> changes = client.preparedQuery("""
                select l.seq, l.kind, l.target, l.emoji, l.reaction_on,
                       u.id as user_id, u.username, coalesce(u.display_name, u.username) as shown_name, u.kind as user_kind,
                       t.text as target_text, t.deleted as target_deleted, t.edited_at as target_edited_at,
                       t.mentions as target_mentions
                  from log_entries l join users u on u.id = l.user_id
                  left join messages t on t.room_id = l.room_id and t.seq = l.target
                 where l.room_id = $1 and l.seq > $2 and l.seq <= $3
                 order by l.seq""" + " " + order + " limit $4")
                .execute(Tuple.of(roomId, after, upTo, limit));
        return Uni.combine().all().unis(messages, changes).asTuple().chain(both -> {
            Set<String> mentionIds = new LinkedHashSet<>();
            for (Row row : both.getItem2()) {
                String[] ids = row.getArrayOfStrings("target_mentions");
                if (ids != null && "edit".equals(row.getString("kind"))) {
                    mentionIds.addAll(List.of(ids));
                }
            }
            return users(client, mentionIds).map(byId -> {
                List<LogEntryView.Entry> all = new ArrayList<>();
                for (MessageView m : both.getItem1()) {
                    all.add(new LogEntryView.Entry(EventType.MESSAGE, m.seq(), m));
                }
                for (Row row : both.getItem2()) {
                    all.add(change(roomId, row, byId));
                }
                all.sort((x, y) -> Long.compare(x.seq(), y.seq()));
                // the two reads each took `limit`: keep the `limit` at the requested end
                if (all.size() > limit) {
                    return newest ? new ArrayList<>(all.subList(all.size() - limit, all.size()))
                            : new ArrayList<>(all.subList(0, limit));
                }
                return all;
            });
        });
    }

    private static LogEntryView.Entry change(String roomId, Row row, Map<String, UserView> users) {
        long seq = row.getLong("seq");
        long target = row.getLong("target");
        UserView user = new UserView(row.getString("user_id"), row.getString("username"), row.getString("shown_name"),
                User.KIND_BOT.equals(row.getString("user_kind")));
        return switch (row.getString("kind")) {
            case "edit" -> {
                boolean deleted = Boolean.TRUE.equals(row.getBoolean("target_deleted"));
                List<UserView> mentions = mentionViews(row.getArrayOfStrings("target_mentions"), users);
                yield new LogEntryView.Entry(EventType.MESSAGE_EDITED, seq, new LogEntryView.Edited(roomId, seq, target, user,
                        deleted ? null : row.getString("target_text"), WireTime.format(row.getOffsetDateTime("target_edited_at")),
                        deleted || mentions.isEmpty() ? null : mentions, deleted ? Boolean.TRUE : null));
            }
            case "delete" -> new LogEntryView.Entry(EventType.MESSAGE_DELETED, seq,
                    new LogEntryView.Deleted(roomId, seq, target, user));
            default -> new LogEntryView.Entry(EventType.REACTION, seq, new LogEntryView.Reaction(roomId, seq, target,
                    row.getString("emoji"), user, row.getBoolean("reaction_on")));
        };
    }

    // Runs a query of MESSAGE_COLUMNS and completes its messages with their mentions and reactions.
    private Uni<List<MessageView>> views(SqlClient client, String sql, Tuple args) {
        return client.preparedQuery(sql).execute(args).chain(rows -> {
            List<Row> list = new ArrayList<>(rows.size());
            Set<String> mentionIds = new LinkedHashSet<>();
            for (Row row : rows) {
                list.add(row);
                String[] ids = row.getArrayOfStrings("mentions");
                if (ids != null) {
                    mentionIds.addAll(List.of(ids));
                }
            }
            if (list.isEmpty()) {
                return Uni.createFrom().item(new ArrayList<MessageView>());
            }
            return Uni.combine().all().unis(users(client, mentionIds), reactions(client, list)).asTuple().map(both -> {
                List<MessageView> views = new ArrayList<>(list.size());
                for (Row row : list) {
                    MessageView v = view(row, both.getItem1());
                    List<MessageView.ReactionView> r = both.getItem2().get(new RoomSeq(v.room(), v.seq()));
                    views.add(r == null ? v : v.withReactions(r));
                }
                return views;
            });
        });
    }

    private static Uni<Map<String, UserView>> users(SqlClient client, Set<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return client.preparedQuery("select id, username, coalesce(display_name, username), kind from users where id = any($1)")
                .execute(Tuple.of((Object) ids.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, UserView> byId = new HashMap<>();
                    for (Row row : rows) {
                        byId.put(row.getString(0), new UserView(row.getString(0), row.getString(1), row.getString(2),
                                User.KIND_BOT.equals(row.getString(3))));
                    }
                    return byId;
                });
    }

    // Aggregated per message and emoji: the count and the first ten users, in the order they reacted.
    private static Uni<Map<RoomSeq, List<MessageView.ReactionView>>> reactions(SqlClient client, List<Row> messages) {
        String[] rooms = messages.stream().map(r -> r.getString("room_id")).toArray(String[]::new);
        Long[] seqs = messages.stream().map(r -> r.getLong("seq")).toArray(Long[]::new);
        return client.preparedQuery("""
                select r.room_id, r.seq, r.emoji, count(*), (array_agg(r.user_id order by r.created_at, r.user_id))[1:10]
                  from unnest($1::text[], $2::int8[]) as m(room_id, seq)
                  join reactions r on r.room_id = m.room_id and r.seq = m.seq
                 group by r.room_id, r.seq, r.emoji order by r.room_id, r.seq, min(r.created_at), r.emoji""")
                .execute(Tuple.of(rooms, seqs))
                .map(rows -> {
                    Map<RoomSeq, List<MessageView.ReactionView>> byMessage = new HashMap<>();
                    for (Row row : rows) {
                        byMessage.computeIfAbsent(new RoomSeq(row.getString(0), row.getLong(1)), k -> new ArrayList<>())
                                .add(new MessageView.ReactionView(row.getString(2), row.getLong(3),
                                        List.of(row.getArrayOfStrings(4))));
                    }
                    return byMessage;
                });
    }

    private static List<UserView> mentionViews(String[] ids, Map<String, UserView> users) {
        if (ids == null) {
            return List.of();
        }
        List<UserView> views = new ArrayList<>(ids.length);
        for (String id : ids) {
            UserView u = users.get(id);
            if (u != null) {
                views.add(u);
            }
        }
        return views;
    }

    private static MessageView view(Row row, Map<String, UserView> users) {
        boolean deleted = row.getBoolean("deleted");
        List<UserView> mentions = mentionViews(row.getArrayOfStrings("mentions"), users);
        return new MessageView(row.getString("room_id"), row.getLong("seq"),
                new UserView(row.getString("user_id"), row.getString("username"), row.getString("shown_name"),
                        User.KIND_BOT.equals(row.getString("kind"))),
                deleted ? null : row.getString("text"), WireTime.format(row.getOffsetDateTime("created_at")),
                row.getString("client_msg_id"), row.getLong("reply_to"), mentions.isEmpty() ? null : mentions,
                row.getString("attachment_id") == null ? null : new AttachmentView(row.getString("attachment_id"),
                        row.getString("attachment_name"), row.getLong("attachment_size"), row.getString("attachment_type")),
                WireTime.format(row.getOffsetDateTime("edited_at")), deleted ? Boolean.TRUE : null, null);
    }
}

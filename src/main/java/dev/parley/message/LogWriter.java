package dev.parley.message;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;

import dev.parley.auth.UserView;
import dev.parley.fanout.EventType;
import dev.parley.message.MessageRepository.LogRow;
import dev.parley.message.MessageRepository.ReactionKey;
import dev.parley.message.MessageRepository.RetryKey;
import dev.parley.message.MessageRepository.RoomSeq;
import dev.parley.message.MessageRepository.Target;
import dev.parley.problem.ParleyException;
import dev.parley.room.RoomAccess;
import dev.parley.room.RoomRepository;
import dev.parley.room.RoomRepository.NamedMember;
import dev.parley.wire.WireTime;

/**
 * Writes changes into the room log — sends, edits, deletions, reactions — any number in one
 * transaction, one change as a batch of one, in two round trips to PostgreSQL. The first
 * (pipelined: every statement sent at once) begins the transaction, locks the rooms' rows (id
 * order), reads each (room, user)'s access and looks up the {@code clientMsgId}s, the messages the
 * changes act on, the reactions they toggle and the members they mention. Then, in memory, each
 * change is authorized by {@link RoomAccess}, a retry answers with the stored message (also
 * against an earlier send of the same batch), and the changes are judged in queue order against
 * that state (so two changes of one message in one batch see each other). The second exchange
 * (pipelined too) joins public rooms, appends the changes that store something
 * ({@link MessageRepository#append}), brings the messages' current state up to date and commits.
 * A change refused fails alone: the others go on. A statement that fails turns the pipelined
 * {@code COMMIT} into a rollback (PostgreSQL ends an aborted transaction that way), so nothing of
 * the batch is kept, and the batch fails as a whole.
 *
 * <p>Because the lock comes first, a member removed (which locks the room too) either is gone
 * before the authorization reads, or is removed after the commit; a room deleted before the lock
 * fails only its own changes with {@code not_found}.
 */
@ApplicationScoped
public class LogWriter {

    private final Pool pool;
    private final RoomRepository rooms;
    private final MessageRepository messages;
    private final LogMetrics metrics;

    public LogWriter(Pool pool, RoomRepository rooms, MessageRepository messages, LogMetrics metrics) {
        this.metrics = metrics;
        this.pool = pool;
        this.rooms = rooms;
        this.messages = messages;
    }

    /** One change in its own transaction: the one-transaction-per-change path, and the batch's fallback. */
    public Uni<Object> writeOne(NewEntry entry) {
        return write(List.of(entry)).map(outcomes -> {
            if (outcomes.get(0) instanceof RuntimeException refused) {
                throw refused;
            }
            return outcomes.get(0);
        });
    }

    /**
     * Writes the batch in a transaction of its own; the list holds, per change in order, its
     * {@link Sent} (a send), {@link Changed} (the rest) or the {@link ParleyException} it is refused with.
     */
    public Uni<List<Object>> write(List<NewEntry> batch) {
        return pool.getConnection().chain(connection -> {
            Batch b = new Batch(batch);
            return read(connection, b)
                    .chain(() -> store(connection, b))
                    .map(b::outcomes)
                    .invoke(outcomes -> b.forEachStored(metrics::committed))
                    .onFailure().call(() -> rollback(connection))
                    .eventually(connection::close);
        });
    }

    // Round trip 1: BEGIN, the lock and every read, sent at once. PostgreSQL runs them in order, each
    // statement with a snapshot taken when it starts, so the reads after the lock still see whatever
    // a writer holding the lock committed. What they read covers every change of the batch; only the
    // changes that pass each step use it.
    private Uni<Void> read(SqlConnection tx, Batch b) {
        List<NewEntry> batch = b.entries;
        String[] roomIds = batch.stream().map(NewEntry::roomId).toArray(String[]::new);
        String[] userIds = batch.stream().map(e -> e.user().id()).toArray(String[]::new);
        Uni<Void> begun = tx.query("BEGIN").execute().replaceWithVoid();
        Uni<Void> locked = rooms.lock(tx, new TreeSet<>(List.of(roomIds)).toArray(String[]::new));
        Uni<List<RoomAccess>> access = rooms.accessAll(tx, roomIds, userIds);
        List<RetryKey> retryKeys = b.retryKeys();
        Uni<Map<RetryKey, MessageView>> retries = retryKeys.isEmpty() ? Uni.createFrom().item(Map.of())
                : messages.findByRetryKeys(tx, retryKeys);
        Set<RoomSeq> places = b.places();
        Uni<Map<RoomSeq, Target>> targets = places.isEmpty() ? Uni.createFrom().item(Map.of())
                : messages.targets(tx, places);
        Set<ReactionKey> reactionKeys = b.reactionKeys();
        Uni<Set<ReactionKey>> reactions = reactionKeys.isEmpty() ? Uni.createFrom().item(Set.of())
                : messages.reactionsPresent(tx, reactionKeys);
        Uni<List<NamedMember>> named = b.namedMembers(tx);
        // collectFailures: every answer is awaited before a failure is reported, so nothing of this
        // exchange is still under way on the connection when it is rolled back and given back
        return Uni.combine().all().unis(begun, locked, access, retries, targets, reactions, named).collectFailures()
                .asTuple()
                .invoke(read -> {
                    b.authorize(read.getItem3());
                    b.answerRetries(read.getItem4());
                    b.targets(read.getItem5());
                    b.reactionsPresent(read.getItem6());
                    b.members(read.getItem7());
                    b.judge();
                })
                .replaceWithVoid();
    }

    // Round trip 2: the writes and COMMIT, sent at once; the outcomes are known once COMMIT answers.
    private Uni<MessageRepository.Appended> store(SqlConnection tx, Batch b) {
        Uni<List<String[]>> joined = b.joining().isEmpty() ? Uni.createFrom().item(List.of())
                : rooms.joinAll(tx, b.joiningRooms(), b.joiningUsers());
        Uni<MessageRepository.Appended> appended = b.stored().isEmpty() ? Uni.createFrom().nullItem()
                : messages.append(tx, b.rows());
        List<Uni<Void>> state = b.stateUpdates(tx);
        Uni<Void> committed = tx.query("COMMIT").execute().replaceWithVoid();
        List<Uni<?>> exchange = new ArrayList<>();
        exchange.add(joined);
        exchange.add(appended);
        exchange.addAll(state);
        exchange.add(committed);
        return Uni.combine().all().unis(exchange).collectFailures().with(results -> {
            @SuppressWarnings("unchecked")
            List<String[]> pairs = (List<String[]>) results.get(0);
            b.joined(pairs);
            return (MessageRepository.Appended) results.get(1);
        });
    }

    // After a failure the transaction is still open (round trip 1) or already rolled back by the
    // pipelined COMMIT (round trip 2, where this only draws a warning); either way the connection
    // goes back to the pool with no transaction. A broken connection is closed by the pool.
    private static Uni<Void> rollback(SqlConnection connection) {
        return connection.query("ROLLBACK").execute().replaceWithVoid().onFailure().recoverWithNull();
    }

    /** What one batch learns along the way, per change: its outcome and whether it joins its room. */
    private final class Batch {
        private final List<NewEntry> entries;
        private final Object[] outcomes;
        private final boolean[] joins;
        private final RoomAccess[] access;
        private final List<Integer> candidates = new ArrayList<>();
        private final List<Integer> stored = new ArrayList<>();
        private final Map<Integer, List<UserView>> mentions = new HashMap<>();
        private Map<RoomSeq, Target> targets = Map.of();
        private final Set<ReactionKey> reactionsNow = new HashSet<>();
        private final Set<ReactionKey> reactionsBefore = new HashSet<>();
        private final Map<String, UserView> members = new HashMap<>();
        // the messages' state the batch leaves, in the order first touched
        private final Map<RoomSeq, Integer> lastEdit = new LinkedHashMap<>();
        private final Set<RoomSeq> deletions = new LinkedHashSet<>();

        Batch(List<NewEntry> entries) {
            this.entries = entries;
            this.outcomes = new Object[entries.size()];
            this.joins = new boolean[entries.size()];
            this.access = new RoomAccess[entries.size()];
        }

        void authorize(List<RoomAccess> found) {
            for (int i = 0; i < entries.size(); i++) {
                try {
                    // a muted member may still delete their own messages; sends, edits and reactions speak
                    joins[i] = entries.get(i) instanceof NewEntry.Delete ? found.get(i).requireTakePart()
                            : found.get(i).requireSpeak();
                    access[i] = found.get(i);
                } catch (ParleyException refused) {
                    outcomes[i] = refused;
                }
            }
        }

        List<RetryKey> retryKeys() {
            List<RetryKey> keys = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                if (entries.get(i) instanceof NewEntry.Send s && s.clientMsgId() != null) {
                    keys.add(new RetryKey(s.roomId(), s.user().id(), s.clientMsgId()));
                }
            }
            return keys;
        }

        // Retries of stored sends answer with the stored message; a clientMsgId repeated inside the
        // batch is stored once, for its first send.
        void answerRetries(Map<RetryKey, MessageView> storedBefore) {
            Map<RetryKey, Integer> firstOfKey = new HashMap<>();
            for (int i = 0; i < entries.size(); i++) {
                if (outcomes[i] != null) {
                    continue;
                }
                if (entries.get(i) instanceof NewEntry.Send s && s.clientMsgId() != null) {
                    RetryKey key = new RetryKey(s.roomId(), s.user().id(), s.clientMsgId());
                    MessageView earlier = storedBefore.get(key);
                    if (earlier != null) {
                        outcomes[i] = new Sent(earlier, false, false);
                        joins[i] = false;
                        continue;
                    }
                    Integer first = firstOfKey.putIfAbsent(key, i);
                    if (first != null) {
                        outcomes[i] = first; // resolved once the first is stored
                        joins[i] = false;
                        continue;
                    }
                }
                candidates.add(i);
            }
        }

        // The messages acted on, and those replied to.
        Set<RoomSeq> places() {
            Set<RoomSeq> places = new HashSet<>();
            for (int i = 0; i < entries.size(); i++) {
                NewEntry e = entries.get(i);
                long target = target(e);
                if (target > 0) {
                    places.add(new RoomSeq(e.roomId(), target));
                }
            }
            return places;
        }

        void targets(Map<RoomSeq, Target> found) {
            targets = found;
        }

        Set<ReactionKey> reactionKeys() {
            Set<ReactionKey> keys = new HashSet<>();
            for (int i = 0; i < entries.size(); i++) {
                if (entries.get(i) instanceof NewEntry.React r) {
                    keys.add(reactionKey(r));
                }
            }
            return keys;
        }

        void reactionsPresent(Set<ReactionKey> present) {
            reactionsBefore.addAll(present);
            reactionsNow.addAll(present);
        }

        // The members named as @username by the batch's sends and edits, in one statement.
        Uni<List<NamedMember>> namedMembers(SqlClient tx) {
            List<String> pairRooms = new ArrayList<>();
            List<String> pairNames = new ArrayList<>();
            Set<String> asked = new HashSet<>();
            for (NewEntry e : entries) {
                for (String name : Mentions.names(text(e))) {
                    if (asked.add(e.roomId() + ' ' + name)) {
                        pairRooms.add(e.roomId());
                        pairNames.add(name);
                    }
                }
            }
            if (pairRooms.isEmpty()) {
                return Uni.createFrom().item(List.of());
            }
            return rooms.membersNamed(tx, pairRooms.toArray(String[]::new), pairNames.toArray(String[]::new));
        }

        void members(List<NamedMember> found) {
            for (NamedMember m : found) {
                members.put(m.room() + ' ' + m.name(), m.user());
            }
        }

        // In queue order, against the state as the earlier changes of the batch leave it.
        void judge() {
            for (int i : candidates) {
                try {
                    if (judge(i, entries.get(i))) {
                        stored.add(i);
                    }
                } catch (ParleyException refused) {
                    outcomes[i] = refused;
                    joins[i] = false;
                }
            }
        }

        private boolean judge(int i, NewEntry entry) {
            if (entry instanceof NewEntry.Send s) {
                if (s.replyTo() != null && !targets.containsKey(new RoomSeq(s.roomId(), s.replyTo()))) {
                    throw ParleyException.notFound("replyTo names no message of this room");
                }
                mentions.put(i, mentioned(s.roomId(), s.text()));
                return true;
            }
            RoomSeq place = new RoomSeq(entry.roomId(), target(entry));
            Target t = targets.get(place);
            if (t == null) {
                throw ParleyException.notFound("no such message");
            }
            if (t.deleted() || deletions.contains(place)) {
                throw ParleyException.conflict("the message was deleted");
            }
            if (entry instanceof NewEntry.Edit edit) {
                if (!t.author().equals(edit.user().id())) {
                    throw ParleyException.forbidden("only the author edits a message");
                }
                mentions.put(i, mentioned(edit.roomId(), edit.text()));
                lastEdit.put(place, i);
                return true;
            }
            if (entry instanceof NewEntry.Delete delete) {
                if (!access[i].mayDeleteMessageOf(t.author(), delete.user().id())) {
                    throw ParleyException.forbidden("only the author or an owner or admin deletes a message");
                }
                deletions.add(place);
                lastEdit.remove(place);
                return true;
            }
            NewEntry.React react = (NewEntry.React) entry;
            ReactionKey key = reactionKey(react);
            boolean changes = react.on() ? reactionsNow.add(key) : reactionsNow.remove(key);
            if (!changes) {
                outcomes[i] = Changed.nothing(react.roomId(), react.target());
                joins[i] = false;
            }
            return changes;
        }

        private List<UserView> mentioned(String room, String text) {
            List<UserView> found = new ArrayList<>();
            for (String name : Mentions.names(text)) {
                UserView u = members.get(room + ' ' + name);
                if (u != null) {
                    found.add(u);
                }
            }
            return found;
        }

        List<Integer> stored() {
            return stored;
        }

        List<Integer> joining() {
            return stored.stream().filter(i -> joins[i]).toList();
        }

        String[] joiningRooms() {
            return joining().stream().map(i -> entries.get(i).roomId()).toArray(String[]::new);
        }

        String[] joiningUsers() {
            return joining().stream().map(i -> entries.get(i).user().id()).toArray(String[]::new);
        }

        // Only the first change of a pair that really joined announces it.
        void joined(List<String[]> pairs) {
            Set<String> joined = new HashSet<>();
            for (String[] pair : pairs) {
                joined.add(pair[0] + ' ' + pair[1]);
            }
            for (int i = 0; i < entries.size(); i++) {
                if (joins[i]) {
                    joins[i] = joined.remove(entries.get(i).roomId() + ' ' + entries.get(i).user().id());
                }
            }
        }

        List<LogRow> rows() {
            List<LogRow> rows = new ArrayList<>(stored.size());
            for (int i : stored) {
                NewEntry e = entries.get(i);
                String user = e.user().id();
                if (e instanceof NewEntry.Send s) {
                    rows.add(new LogRow(s.roomId(), "message", user, s.text(), s.clientMsgId(), 0, null, null, s.replyTo(),
                            ids(mentions.get(i)), s.attachment() == null ? null : s.attachment().id()));
                } else if (e instanceof NewEntry.Edit x) {
                    rows.add(new LogRow(x.roomId(), "edit", user, null, null, x.target(), null, null, null, null, null));
                } else if (e instanceof NewEntry.Delete d) {
                    rows.add(new LogRow(d.roomId(), "delete", user, null, null, d.target(), null, null, null, null, null));
                } else if (e instanceof NewEntry.React r) {
                    rows.add(new LogRow(r.roomId(), "reaction", user, null, null, r.target(), r.emoji(), r.on(), null, null, null));
                }
            }
            return rows;
        }

        // The messages' state after the batch: each edited one takes its last edit's text, deleted
        // ones are erased, reactions as the batch leaves them. Statements to send in this order.
        List<Uni<Void>> stateUpdates(SqlClient tx) {
            List<Uni<Void>> steps = new ArrayList<>();
            if (!lastEdit.isEmpty()) {
                List<MessageRepository.EditedState> edits = new ArrayList<>();
                lastEdit.forEach((place, i) -> edits.add(new MessageRepository.EditedState(place,
                        ((NewEntry.Edit) entries.get(i)).text(), ids(mentions.get(i)))));
                steps.addAll(messages.applyEdits(tx, edits));
            }
            if (!deletions.isEmpty()) {
                steps.addAll(messages.applyDeletes(tx, deletions));
            }
            Set<ReactionKey> added = new HashSet<>(reactionsNow);
            added.removeAll(reactionsBefore);
            Set<ReactionKey> removed = new HashSet<>(reactionsBefore);
            removed.removeAll(reactionsNow);
            if (!added.isEmpty()) {
                steps.add(messages.addReactions(tx, added));
            }
            if (!removed.isEmpty()) {
                steps.add(messages.removeReactions(tx, removed));
            }
            return steps;
        }

        /** Each change the batch's transaction stored (known once COMMIT answered). */
        void forEachStored(Consumer<NewEntry> action) {
            for (int i : stored) {
                action.accept(entries.get(i));
            }
        }

        List<Object> outcomes(MessageRepository.Appended appended) {
            String ts = appended == null ? null : WireTime.format(appended.at());
            for (int k = 0; k < stored.size(); k++) {
                int i = stored.get(k);
                long seq = appended.seqs()[k];
                NewEntry e = entries.get(i);
                if (e instanceof NewEntry.Send s) {
                    outcomes[i] = new Sent(MessageView.stored(s.roomId(), seq, s.user(), s.text(), ts, s.clientMsgId(),
                            s.replyTo(), mentions.get(i), s.attachment()), true, joins[i]);
                } else if (e instanceof NewEntry.Edit x) {
                    outcomes[i] = new Changed(x.roomId(), x.target(), EventType.MESSAGE_EDITED, seq,
                            new LogEntryView.Edited(x.roomId(), seq, x.target(), x.user(), x.text(), ts,
                                    mentions.get(i).isEmpty() ? null : mentions.get(i), null));
                } else if (e instanceof NewEntry.Delete d) {
                    outcomes[i] = new Changed(d.roomId(), d.target(), EventType.MESSAGE_DELETED, seq,
                            new LogEntryView.Deleted(d.roomId(), seq, d.target(), d.user()));
                } else if (e instanceof NewEntry.React r) {
                    outcomes[i] = new Changed(r.roomId(), r.target(), EventType.REACTION, seq,
                            new LogEntryView.Reaction(r.roomId(), seq, r.target(), r.emoji(), r.user(), r.on()));
                }
            }
            for (int i = 0; i < entries.size(); i++) {
                if (outcomes[i] instanceof Integer first) {
                    outcomes[i] = new Sent(((Sent) outcomes[first]).message(), false, false);
                }
            }
            return List.of(outcomes);
        }
    }

    // The message a change acts on or a send replies to; 0 for none.
    private static long target(NewEntry e) {
        if (e instanceof NewEntry.Send s) {
            return s.replyTo() == null ? 0 : s.replyTo();
        }
        if (e instanceof NewEntry.Edit x) {
            return x.target();
        }
        if (e instanceof NewEntry.Delete d) {
            return d.target();
        }
        return ((NewEntry.React) e).target();
    }

    private static String text(NewEntry e) {
        if (e instanceof NewEntry.Send s) {
            return s.text();
        }
        return e instanceof NewEntry.Edit x ? x.text() : null;
    }

    private static ReactionKey reactionKey(NewEntry.React r) {
        return new ReactionKey(r.roomId(), r.target(), r.user().id(), r.emoji());
    }

    private static List<String> ids(List<UserView> users) {
        return users == null ? List.of() : users.stream().map(UserView::id).toList();
    }
}

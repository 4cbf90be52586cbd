package dev.parley.message;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.parley.auth.UserView;
import dev.parley.config.ParleyConfig;
import dev.parley.problem.ParleyException;
import dev.parley.problem.UniqueViolation;
import dev.parley.wire.WireTime;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Group commit: sends wait in one queue per instance and are written in batches, one transaction
 * per batch. One batch is in flight at a time; whatever arrives meanwhile forms the next one, so the
 * batch size follows the load by itself and a lone message is written at once, never held back.
 *
 * <p>Inside a batch, in queue order: authorization of every (room, sender), deduplication of
 * {@code clientMsgId} against the table and inside the batch, joining public rooms, then each
 * room's {@code last_seq} is bumped once by its count of new messages (rooms locked in id order)
 * and all messages are inserted with one multi-row statement. Nothing is acknowledged before the
 * commit. Seqs stay gapless (a failed batch rolls its bumps back) and one connection's sends keep
 * their order (they are queued in the order received and batches commit one after another).
 *
 * <p>If a batch fails on a unique violation or a deadlock (a concurrent writer on another instance),
 * its sends are retried one by one through the single-message path, which resolves each race.
 */
@ApplicationScoped
public class MessageBatcher {

    private static final Logger LOG = Logger.getLogger(MessageBatcher.class);

    private final Pool pool;
    private final ParleyConfig config;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();

    public MessageBatcher(Pool pool, ParleyConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** One send waiting for its batch. */
    record Pending(UserView sender, String roomId, String text, String clientMsgId, UniEmitter<? super Sent> emitter) {
    }

    /** Called with the sends whose batch failed for a reason a one-by-one retry resolves. */
    public interface Fallback {
        Uni<Sent> sendOne(UserView sender, String roomId, String text, String clientMsgId);
    }

    private volatile Fallback fallback;

    public void fallback(Fallback fallback) {
        this.fallback = fallback;
    }

    public Uni<Sent> submit(UserView sender, String roomId, String text, String clientMsgId) {
        return Uni.createFrom().emitter(emitter -> {
            queue.add(new Pending(sender, roomId, text, clientMsgId, emitter));
            drain();
        });
    }

    private void drain() {
        while (!queue.isEmpty() && writing.compareAndSet(false, true)) {
            List<Pending> batch = new ArrayList<>();
            int max = config.batch().maxSize();
            Pending p;
            while (batch.size() < max && (p = queue.poll()) != null) {
                batch.add(p);
            }
            if (batch.isEmpty()) {
                writing.set(false);
                continue;
            }
            write(batch).subscribe().with(outcomes -> {
                writing.set(false);
                for (int i = 0; i < batch.size(); i++) {
                    Object o = outcomes.get(i);
                    if (o instanceof Sent outcome) {
                        batch.get(i).emitter().complete(outcome);
                    } else {
                        batch.get(i).emitter().fail((Throwable) o);
                    }
                }
                drain();
            }, failure -> {
                writing.set(false);
                retryOneByOne(batch, failure);
                drain();
            });
        }
    }

    private void retryOneByOne(List<Pending> batch, Throwable failure) {
        if (!isRace(failure) || fallback == null) {
            batch.forEach(p -> p.emitter().fail(failure));
            return;
        }
        LOG.debugf("Batch of %d lost a race (%s); retrying its sends one by one", batch.size(), failure.getMessage());
        for (Pending p : batch) {
            fallback.sendOne(p.sender(), p.roomId(), p.text(), p.clientMsgId())
                    .subscribe().with(p.emitter()::complete, p.emitter()::fail);
        }
    }

    private static boolean isRace(Throwable failure) {
        if (UniqueViolation.is(failure)) {
            return true;
        }
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof PgException pg && "40P01".equals(pg.getSqlState())) { // deadlock detected
                return true;
            }
        }
        return false;
    }

    /** Writes one batch; the list holds, per send, its {@link Sent} or the exception it fails with. */
    private Uni<List<Object>> write(List<Pending> batch) {
        return pool.withTransaction(tx -> new BatchWrite(tx, batch).run());
    }

    /** The statements of one batch transaction and what they learn along the way. */
    private static final class BatchWrite {
        private final SqlConnection tx;
        private final List<Pending> batch;
        private final Object[] outcomes;
        private final boolean[] joins;

        BatchWrite(SqlConnection tx, List<Pending> batch) {
            this.tx = tx;
            this.batch = batch;
            this.outcomes = new Object[batch.size()];
            this.joins = new boolean[batch.size()];
        }

        Uni<List<Object>> run() {
            return authorize().chain(this::deduplicate).chain(this::join).chain(this::insert).map(v -> List.of(outcomes));
        }

        private Uni<Void> authorize() {
            String[] rooms = new String[batch.size()];
            String[] users = new String[batch.size()];
            for (int i = 0; i < batch.size(); i++) {
                rooms[i] = batch.get(i).roomId();
                users[i] = batch.get(i).sender().id();
            }
            return tx.preparedQuery("""
                    select p.ord, r.visibility, m.role
                      from unnest($1::text[], $2::text[]) with ordinality as p(room_id, user_id, ord)
                      left join rooms r on r.id = p.room_id
                      left join memberships m on m.room_id = p.room_id and m.user_id = p.user_id""")
                    .execute(Tuple.of(rooms, users))
                    .invoke(rows -> {
                        for (Row row : rows) {
                            int i = (int) (row.getLong(0) - 1);
                            String visibility = row.getString(1);
                            String role = row.getString(2);
                            if (visibility == null) {
                                outcomes[i] = ParleyException.notFound("no such room");
                            } else if (role == null && !"public".equals(visibility)) {
                                outcomes[i] = ParleyException.forbidden("not a member of this private room");
                            } else if (role == null) {
                                joins[i] = true;
                            }
                        }
                    })
                    .replaceWithVoid();
        }

        // Earlier messages with the same clientMsgId answer for their retries, from the table or
        // from earlier in this batch.
        private Uni<Void> deduplicate(Void ignored) {
            List<Integer> keyed = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                if (outcomes[i] == null && batch.get(i).clientMsgId() != null) {
                    keyed.add(i);
                }
            }
            if (keyed.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            String[] rooms = new String[keyed.size()];
            String[] senders = new String[keyed.size()];
            String[] ids = new String[keyed.size()];
            for (int k = 0; k < keyed.size(); k++) {
                Pending p = batch.get(keyed.get(k));
                rooms[k] = p.roomId();
                senders[k] = p.sender().id();
                ids[k] = p.clientMsgId();
            }
            // One index probe of the unique key per clientMsgId: "limit 1" keeps the planner from
            // flattening the lateral subquery into a hash join that scans the whole table (seen:
            // throughput fell with every run as the table grew).
            return tx.preparedQuery(MessageRepository.VIEW_COLUMNS + """
                      from unnest($1::text[], $2::text[], $3::text[]) as k(room_id, sender_id, client_msg_id)
                      cross join lateral (select * from messages x
                                           where x.room_id = k.room_id and x.sender_id = k.sender_id
                                             and x.client_msg_id = k.client_msg_id limit 1) m
                      join users u on u.id = m.sender_id""")
                    .execute(Tuple.of(rooms, senders, ids))
                    .invoke(rows -> {
                        Map<Key, MessageView> stored = new HashMap<>();
                        for (Row row : rows) {
                            MessageView m = MessageRepository.view(row);
                            stored.put(new Key(m.room(), m.user().id(), m.clientMsgId()), m);
                        }
                        for (int i : keyed) {
                            Pending p = batch.get(i);
                            MessageView earlier = stored.get(new Key(p.roomId(), p.sender().id(), p.clientMsgId()));
                            if (earlier != null) {
                                outcomes[i] = new Sent(earlier, false, false);
                                joins[i] = false;
                            }
                        }
                    })
                    .replaceWithVoid();
        }

        private Uni<Void> join(Void ignored) {
            List<String> rooms = new ArrayList<>();
            List<String> users = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                if (joins[i] && outcomes[i] == null) {
                    rooms.add(batch.get(i).roomId());
                    users.add(batch.get(i).sender().id());
                }
            }
            if (rooms.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            return tx.preparedQuery("""
                    insert into memberships (room_id, user_id, role, joined_at)
                    select distinct room_id, user_id, 'member', now() from unnest($1::text[], $2::text[]) as j(room_id, user_id)
                    on conflict do nothing
                    returning room_id, user_id""")
                    .execute(Tuple.of(rooms.toArray(String[]::new), users.toArray(String[]::new)))
                    .invoke(rows -> {
                        // only the first send of a pair that really joined announces it
                        Set<Key> joined = new HashSet<>();
                        for (Row row : rows) {
                            joined.add(new Key(row.getString(0), row.getString(1), null));
                        }
                        for (int i = 0; i < batch.size(); i++) {
                            if (joins[i]) {
                                joins[i] = joined.remove(new Key(batch.get(i).roomId(), batch.get(i).sender().id(), null));
                            }
                        }
                    })
                    .replaceWithVoid();
        }

        private Uni<Void> insert(Void ignored) {
            // new messages in queue order; a repeated clientMsgId inside the batch points at its first
            Map<Key, Integer> firstOfKey = new HashMap<>();
            Map<String, Integer> perRoom = new HashMap<>();
            List<Integer> fresh = new ArrayList<>();
            int[] repeatOf = new int[batch.size()];
            for (int i = 0; i < batch.size(); i++) {
                repeatOf[i] = -1;
                if (outcomes[i] != null) {
                    continue;
                }
                Pending p = batch.get(i);
                if (p.clientMsgId() != null) {
                    Integer first = firstOfKey.putIfAbsent(new Key(p.roomId(), p.sender().id(), p.clientMsgId()), i);
                    if (first != null) {
                        repeatOf[i] = first;
                        continue;
                    }
                }
                fresh.add(i);
                perRoom.merge(p.roomId(), 1, Integer::sum);
            }
            if (fresh.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            String[] roomIds = perRoom.keySet().stream().sorted().toArray(String[]::new);
            Long[] counts = new Long[roomIds.length];
            for (int r = 0; r < roomIds.length; r++) {
                counts[r] = (long) perRoom.get(roomIds[r]);
            }
            return tx.preparedQuery("select id from rooms where id = any($1) order by id for update")
                    .execute(Tuple.of(roomIds))
                    .chain(locked -> tx.preparedQuery("""
                            update rooms r set last_seq = r.last_seq + c.n
                              from unnest($1::text[], $2::int8[]) as c(room_id, n)
                             where r.id = c.room_id
                            returning r.id, r.last_seq, date_trunc('milliseconds', now())""")
                            .execute(Tuple.of(roomIds, counts)))
                    .chain(bumped -> {
                        Map<String, long[]> next = new HashMap<>();
                        OffsetDateTime now = null;
                        for (Row row : bumped) {
                            String room = row.getString(0);
                            next.put(room, new long[] { row.getLong(1) - perRoom.get(room) + 1 });
                            now = row.getOffsetDateTime(2);
                        }
                        String ts = WireTime.format(now);
                        int n = fresh.size();
                        String[] rooms = new String[n];
                        Long[] seqs = new Long[n];
                        String[] senders = new String[n];
                        String[] texts = new String[n];
                        String[] clientIds = new String[n];
                        for (int k = 0; k < n; k++) {
                            int i = fresh.get(k);
                            Pending p = batch.get(i);
                            long seq = next.get(p.roomId())[0]++;
                            rooms[k] = p.roomId();
                            seqs[k] = seq;
                            senders[k] = p.sender().id();
                            texts[k] = p.text();
                            clientIds[k] = p.clientMsgId();
                            outcomes[i] = new Sent(new MessageView(p.roomId(), seq, p.sender(), p.text(), ts,
                                    p.clientMsgId(), null, null), true, joins[i]);
                        }
                        for (int i = 0; i < batch.size(); i++) {
                            if (repeatOf[i] >= 0) {
                                Sent first = (Sent) outcomes[repeatOf[i]];
                                outcomes[i] = new Sent(first.message(), false, false);
                            }
                        }
                        return tx.preparedQuery("""
                                insert into messages (room_id, seq, sender_id, text, client_msg_id, created_at)
                                select room_id, seq, sender_id, text, client_msg_id, $6
                                  from unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[])
                                       as t(room_id, seq, sender_id, text, client_msg_id)""")
                                .execute(Tuple.from(new Object[] { rooms, seqs, senders, texts, clientIds, now }));
                    })
                    .replaceWithVoid();
        }
    }

    private record Key(String room, String user, String clientMsgId) {
    }
}

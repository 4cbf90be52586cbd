package dev.parley.message;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;

import dev.parley.message.MessageRepository.RetryKey;
import dev.parley.problem.ParleyException;
import dev.parley.room.RoomAccess;
import dev.parley.room.RoomRepository;
import dev.parley.wire.WireTime;

/**
 * Writes sends into the room log, any number in one transaction, one send as a batch of one. In
 * order: the rooms' rows are locked (id order), then each (room, sender) is authorized by
 * {@link RoomAccess}, {@code clientMsgId}s are looked up (a retry answers with the stored message,
 * also against an earlier send of the same batch), public rooms are joined, and the new entries are
 * appended ({@link MessageRepository#append}). A send refused here fails alone: the others go on.
 *
 * <p>Because the lock comes first, a member removed (which locks the room too) either is gone
 * before the authorization reads, or is removed after the commit; a room deleted before the lock
 * fails only its own sends with {@code not_found}.
 */
@ApplicationScoped
public class LogWriter {

    private final Pool pool;
    private final RoomRepository rooms;
    private final MessageRepository messages;

    public LogWriter(Pool pool, RoomRepository rooms, MessageRepository messages) {
        this.pool = pool;
        this.rooms = rooms;
        this.messages = messages;
    }

    /** One send in its own transaction: the one-transaction-per-send path, and the batch's fallback. */
    public Uni<Sent> writeOne(NewMessage send) {
        return pool.withTransaction(tx -> write(tx, List.of(send))).map(outcomes -> {
            if (outcomes.get(0) instanceof Sent sent) {
                return sent;
            }
            throw (RuntimeException) outcomes.get(0);
        });
    }

    /**
     * Writes the batch in the caller's transaction; the list holds, per send in order, its
     * {@link Sent} or the {@link ParleyException} it is refused with.
     */
    public Uni<List<Object>> write(SqlClient tx, List<NewMessage> batch) {
        Batch b = new Batch(batch);
        return rooms.lock(tx, new TreeSet<>(b.roomIds()).toArray(String[]::new))
                .chain(() -> rooms.accessAll(tx, b.roomIds().toArray(String[]::new), b.senderIds()))
                .invoke(b::authorize)
                .chain(() -> b.retryKeys().isEmpty() ? Uni.createFrom().item(Map.<RetryKey, MessageView>of())
                        : messages.findByRetryKeys(tx, b.retryKeys()))
                .invoke(b::answerRetries)
                .chain(() -> b.joining().isEmpty() ? Uni.createFrom().item(List.<String[]>of())
                        : rooms.joinAll(tx, b.joiningRooms(), b.joiningUsers()))
                .invoke(b::joined)
                .chain(() -> b.fresh().isEmpty() ? Uni.createFrom().<MessageRepository.Appended>nullItem()
                        : messages.append(tx, b.freshSends()))
                .map(b::appended);
    }

    /** What one batch learns along the way, per send: its outcome and whether it joins its room. */
    private static final class Batch {
        private final List<NewMessage> sends;
        private final Object[] outcomes;
        private final boolean[] joins;
        private final List<Integer> fresh = new ArrayList<>();

        Batch(List<NewMessage> sends) {
            this.sends = sends;
            this.outcomes = new Object[sends.size()];
            this.joins = new boolean[sends.size()];
        }

        List<String> roomIds() {
            return sends.stream().map(NewMessage::roomId).toList();
        }

        String[] senderIds() {
            return sends.stream().map(s -> s.sender().id()).toArray(String[]::new);
        }

        void authorize(List<RoomAccess> access) {
            for (int i = 0; i < sends.size(); i++) {
                try {
                    joins[i] = access.get(i).requireTakePart();
                } catch (ParleyException refused) {
                    outcomes[i] = refused;
                }
            }
        }

        List<RetryKey> retryKeys() {
            List<RetryKey> keys = new ArrayList<>();
            for (int i = 0; i < sends.size(); i++) {
                if (outcomes[i] == null && sends.get(i).clientMsgId() != null) {
                    keys.add(key(i));
                }
            }
            return keys;
        }

        // Retries of stored sends answer with the stored message; of the rest, a clientMsgId repeated
        // inside the batch is stored once, for its first send.
        void answerRetries(Map<RetryKey, MessageView> stored) {
            Map<RetryKey, Integer> firstOfKey = new HashMap<>();
            for (int i = 0; i < sends.size(); i++) {
                if (outcomes[i] != null) {
                    continue;
                }
                if (sends.get(i).clientMsgId() != null) {
                    RetryKey key = key(i);
                    MessageView earlier = stored.get(key);
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
                fresh.add(i);
            }
        }

        List<Integer> joining() {
            return fresh.stream().filter(i -> joins[i]).toList();
        }

        String[] joiningRooms() {
            return joining().stream().map(i -> sends.get(i).roomId()).toArray(String[]::new);
        }

        String[] joiningUsers() {
            return joining().stream().map(i -> sends.get(i).sender().id()).toArray(String[]::new);
        }

        // Only the first send of a pair that really joined announces it.
        void joined(List<String[]> pairs) {
            Set<String> joined = new HashSet<>();
            for (String[] pair : pairs) {
                joined.add(pair[0] + ' ' + pair[1]);
            }
            for (int i = 0; i < sends.size(); i++) {
                if (joins[i]) {
                    joins[i] = joined.remove(sends.get(i).roomId() + ' ' + sends.get(i).sender().id());
                }
            }
        }

        List<Integer> fresh() {
            return fresh;
        }

        List<NewMessage> freshSends() {
            return fresh.stream().map(sends::get).toList();
        }

        List<Object> appended(MessageRepository.Appended appended) {
            for (int k = 0; appended != null && k < fresh.size(); k++) {
                int i = fresh.get(k);
                NewMessage s = sends.get(i);
                MessageView view = new MessageView(s.roomId(), appended.seqs()[k], s.sender(), s.text(),
                        WireTime.format(appended.createdAt()), s.clientMsgId(), null, null);
                outcomes[i] = new Sent(view, true, joins[i]);
            }
            for (int i = 0; i < sends.size(); i++) {
                if (outcomes[i] instanceof Integer first) {
                    outcomes[i] = new Sent(((Sent) outcomes[first]).message(), false, false);
                }
            }
            return List.of(outcomes);
        }

        private RetryKey key(int i) {
            NewMessage s = sends.get(i);
            return new RetryKey(s.roomId(), s.sender().id(), s.clientMsgId());
        }
    }
}

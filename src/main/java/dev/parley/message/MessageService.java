package dev.parley.message;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

import dev.parley.auth.UserView;
import dev.parley.config.ParleyConfig;
import dev.parley.config.RequestLimits;
import dev.parley.fanout.EventType;
import dev.parley.fanout.RoomEventPublisher;
import dev.parley.problem.ParleyException;
import dev.parley.room.RoomEvents;
import dev.parley.room.RoomRepository;

/**
 * Sending and reading messages. The same code serves the WebSocket and the REST API.
 *
 * <p>Write path: validate, then {@link LogWriter} authorizes, joins public rooms, assigns seqs and
 * inserts, in batches through the group commit ({@link MessageBatcher}) or one transaction per send;
 * after the commit, publish. An error means nothing was stored; with a {@code clientMsgId} a retry
 * returns the stored message (and publishes it again, in case the first attempt died between commit
 * and publish).
 */
@ApplicationScoped
public class MessageService {

    /** The most messages a {@code subscribe} with {@code since} replays. */
    public static final int REPLAY_LIMIT = 500;

    private final Pool pool;
    private final MessageRepository messages;
    private final RoomRepository rooms;
    private final RoomEventPublisher publisher;
    private final RoomEvents events;
    private final RequestLimits limits;
    private final boolean batching;
    private final MessageBatcher batcher;
    private final LogWriter writer;

    public MessageService(Pool pool, MessageRepository messages, RoomRepository rooms, RoomEventPublisher publisher,
            RoomEvents events, RequestLimits limits, ParleyConfig config, MessageBatcher batcher, LogWriter writer) {
        this.pool = pool;
        this.messages = messages;
        this.rooms = rooms;
        this.publisher = publisher;
        this.events = events;
        this.limits = limits;
        this.batching = config.batch().enabled();
        this.batcher = batcher;
        this.writer = writer;
    }

    /** Refuses a text or clientMsgId that no send may carry, before any budget or write is spent on it. */
    public void validate(String text, String clientMsgId) {
        limits.requireText(text);
        limits.requireClientMsgId(clientMsgId);
    }

    public Uni<Sent> send(UserView sender, String roomId, String text, String clientMsgId) {
        try {
            validate(text, clientMsgId);
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        NewMessage send = new NewMessage(sender, roomId, text, clientMsgId);
        Uni<Sent> write = batching ? batcher.submit(send) : writer.writeOne(send);
        return write.invoke(sent -> publish(roomId, sender, sent));
    }

    // After commit. A retry publishes the stored message again: its first attempt may have died
    // between commit and publish.
    private void publish(String roomId, UserView sender, Sent sent) {
        if (sent.joined()) {
            events.memberJoined(roomId, sender);
        }
        publisher.publish(roomId, EventType.MESSAGE, sent.message().seq(), null, sent.message());
    }

    public Uni<HistoryPage> history(UserView reader, String roomId, Long before, Long after, Integer limit) {
        int pageSize;
        try {
            pageSize = limits.historyPage(limit);
            if (before != null && after != null) {
                throw ParleyException.badRequest("give before or after, not both");
            }
            if (before != null && before < 1 || after != null && after < 0) {
                throw ParleyException.badRequest("before must be at least 1 and after at least 0");
            }
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        return rooms.access(reader.id(), roomId).invoke(access -> access.requireRead()).chain(access -> {
            Uni<List<MessageView>> rows = after != null ? messages.oldestAfter(pool, roomId, after, pageSize)
                    : messages.newest(pool, roomId, before, pageSize);
            return rows.map(list -> {
                boolean hasMore = list.size() > pageSize;
                if (!hasMore) {
                    return new HistoryPage(list, false);
                }
                // one row more than asked was read to learn hasMore: drop it from the far end
                return new HistoryPage(after != null ? list.subList(0, pageSize) : list.subList(1, list.size()), true);
            });
        });
    }

    /** What a subscriber with {@code since} missed: the newest {@value #REPLAY_LIMIT} after it at most. */
    public record Replay(long lastSeq, List<MessageView> messages, boolean truncated) {
    }

    /**
     * What a subscriber missed after {@code since}, up to {@code lastSeq} (read once the subscription
     * was live: later messages arrive as events).
     */
    public Uni<Replay> replay(String roomId, Long since, long lastSeq) {
        if (since == null || since >= lastSeq) {
            return Uni.createFrom().item(new Replay(lastSeq, List.of(), false));
        }
        return messages.newestBetween(pool, roomId, since, lastSeq, REPLAY_LIMIT).map(missed -> {
            boolean truncated = missed.size() > REPLAY_LIMIT;
            return new Replay(lastSeq, truncated ? missed.subList(1, missed.size()) : missed, truncated);
        });
    }

    /** Messages after {@code seq}, oldest first, for repairing live delivery after a broker outage. */
    public Uni<List<MessageView>> after(String roomId, long seq, int limit) {
        return messages.oldestAfter(pool, roomId, seq, limit).map(list -> list.size() > limit ? list.subList(0, limit) : list);
    }
}

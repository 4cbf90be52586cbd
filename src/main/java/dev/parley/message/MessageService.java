package dev.parley.message;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.parley.auth.UserView;
import dev.parley.config.ParleyConfig;
import dev.parley.problem.ParleyException;
import dev.parley.problem.UniqueViolation;
import dev.parley.realtime.RoomHub;
import dev.parley.room.RoomAccess;
import dev.parley.room.RoomEvents;
import dev.parley.room.RoomRepository;
import dev.parley.wire.WireTime;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Sending and reading messages. The same code serves the WebSocket and the REST API.
 *
 * <p>Write path: validate, then the group commit ({@link MessageBatcher}) authorizes, joins public
 * rooms, assigns seqs and inserts, one transaction per batch; after the commit, publish. An error
 * means nothing was stored; with a {@code clientMsgId} a retry returns the stored message (and
 * publishes it again, in case the first attempt died between commit and publish).
 */
@ApplicationScoped
public class MessageService {

    /** The most messages a {@code subscribe} with {@code since} replays. */
    public static final int REPLAY_LIMIT = 500;
    private static final int CLIENT_MSG_ID_MAX = 64;

    private final Pool pool;
    private final MessageRepository messages;
    private final RoomRepository rooms;
    private final RoomHub hub;
    private final RoomEvents events;
    private final ParleyConfig config;
    private final MessageBatcher batcher;

    public MessageService(Pool pool, MessageRepository messages, RoomRepository rooms, RoomHub hub, RoomEvents events,
            ParleyConfig config, MessageBatcher batcher) {
        this.pool = pool;
        this.messages = messages;
        this.rooms = rooms;
        this.hub = hub;
        this.events = events;
        this.config = config;
        this.batcher = batcher;
        batcher.fallback(this::sendOne);
    }

    /** Refuses a text or clientMsgId that no send may carry, before any budget or write is spent on it. */
    public void validate(String text, String clientMsgId) {
        validateText(text);
        validateClientMsgId(clientMsgId);
    }

    public Uni<Sent> send(UserView sender, String roomId, String text, String clientMsgId) {
        try {
            validate(text, clientMsgId);
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        Uni<Sent> write = config.batch().enabled() ? batcher.submit(sender, roomId, text, clientMsgId)
                : sendOne(sender, roomId, text, clientMsgId);
        return write.invoke(sent -> publish(roomId, sender, sent));
    }

    /**
     * The single-message write path: one transaction for one send. The batcher falls back to it when
     * a batch loses a race with another writer, and it settles each race by itself.
     */
    Uni<Sent> sendOne(UserView sender, String roomId, String text, String clientMsgId) {
        return pool.withTransaction(tx -> rooms.access(tx, sender.id(), roomId)
                .chain(access -> {
                    requireExists(access);
                    if (!access.isMember() && !access.isPublic()) {
                        throw ParleyException.forbidden("not a member of this private room");
                    }
                    Uni<MessageView> earlier = clientMsgId == null ? Uni.createFrom().nullItem()
                            : messages.findByClientMsgId(tx, roomId, sender.id(), clientMsgId);
                    return earlier.chain(existing -> {
                        if (existing != null) {
                            return Uni.createFrom().item(new Sent(existing, false, false));
                        }
                        Uni<Boolean> joined = access.isMember() ? Uni.createFrom().item(false)
                                : rooms.join(tx, roomId, sender.id());
                        return joined.chain(newMember -> messages.insert(tx, roomId, sender.id(), text, clientMsgId)
                                .map(stored -> new Sent(new MessageView(roomId, stored.seq(), sender, text,
                                        WireTime.format(stored.createdAt()), clientMsgId, null, null), true, newMember)));
                    });
                }))
                // Two attempts with the same clientMsgId raced: the loser answers with the winner's message.
                .onFailure(UniqueViolation::is)
                .recoverWithUni(() -> messages.findByClientMsgId(pool, roomId, sender.id(), clientMsgId)
                        .map(existing -> new Sent(existing, false, false)));
    }

    // After commit. A retry publishes the stored message again: its first attempt may have died
    // between commit and publish.
    private void publish(String roomId, UserView sender, Sent sent) {
        if (sent.joined()) {
            events.memberJoined(roomId, sender);
        }
        hub.publishMessage(sent.message());
    }

    public Uni<HistoryPage> history(UserView reader, String roomId, Long before, Long after, Integer limit) {
        int pageSize;
        try {
            pageSize = pageSize(limit);
            if (before != null && after != null) {
                throw ParleyException.badRequest("give before or after, not both");
            }
            if (before != null && before < 1 || after != null && after < 0) {
                throw ParleyException.badRequest("before must be at least 1 and after at least 0");
            }
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        return readable(reader, roomId).chain(access -> {
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

    private Uni<RoomAccess> readable(UserView reader, String roomId) {
        return rooms.access(reader.id(), roomId).map(access -> {
            requireExists(access);
            if (!access.canRead()) {
                throw ParleyException.forbidden("not a member of this private room");
            }
            return access;
        });
    }

    private int pageSize(Integer limit) {
        if (limit == null) {
            return Math.min(50, config.limits().historyPage());
        }
        if (limit < 1) {
            throw ParleyException.badRequest("limit must be at least 1");
        }
        return Math.min(limit, config.limits().historyPage());
    }

    private void validateText(String text) {
        if (text == null || text.isBlank()) {
            throw ParleyException.badRequest("text must not be empty");
        }
        int max = config.limits().textLength();
        // code points, not chars: an emoji is one character to the user
        if (text.length() > max && text.codePointCount(0, text.length()) > max) {
            throw ParleyException.tooLarge("text exceeds " + max + " characters");
        }
    }

    private static void validateClientMsgId(String clientMsgId) {
        if (clientMsgId != null && (clientMsgId.isEmpty() || clientMsgId.length() > CLIENT_MSG_ID_MAX)) {
            throw ParleyException.badRequest("clientMsgId must be 1 to " + CLIENT_MSG_ID_MAX + " characters");
        }
    }

    private static void requireExists(RoomAccess access) {
        if (access == null) {
            throw ParleyException.notFound("no such room");
        }
    }
}

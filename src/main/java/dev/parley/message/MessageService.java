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
import dev.parley.tracing.Tracing;

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
    private final RepublishWindow republishes;
    private final LogMetrics logMetrics;
    private final Tracing tracing;

    public MessageService(Pool pool, MessageRepository messages, RoomRepository rooms, RoomEventPublisher publisher,
            RoomEvents events, RequestLimits limits, ParleyConfig config, MessageBatcher batcher, LogWriter writer,
            RepublishWindow republishes, LogMetrics logMetrics, Tracing tracing) {
        this.logMetrics = logMetrics;
        this.tracing = tracing;
        this.pool = pool;
        this.messages = messages;
        this.rooms = rooms;
        this.publisher = publisher;
        this.events = events;
        this.limits = limits;
        this.batching = config.batch().enabled();
        this.batcher = batcher;
        this.writer = writer;
        this.republishes = republishes;
    }

    /** Refuses a text or clientMsgId that no send may carry, before any budget or write is spent on it. */
    public void validate(String text, String clientMsgId) {
        limits.requireText(text);
        limits.requireClientMsgId(clientMsgId);
    }

    public Uni<Sent> send(UserView sender, String roomId, String text, String clientMsgId, Long replyTo) {
        try {
            validate(text, clientMsgId);
            requireSeq("replyTo", replyTo);
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        return append(new NewEntry.Send(sender, roomId, text, clientMsgId, replyTo, null));
    }

    /**
     * Posts a message carrying a file already stored ({@code text} may be empty); otherwise as
     * {@link #send}. A retry answered with an earlier message ({@code created} false) stored nothing.
     */
    public Uni<Sent> sendWithAttachment(UserView sender, String roomId, String text, String clientMsgId,
            AttachmentView attachment) {
        try {
            if (text != null && !text.isEmpty()) {
                validate(text, clientMsgId);
            } else {
                limits.requireClientMsgId(clientMsgId);
            }
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        return append(new NewEntry.Send(sender, roomId, text == null ? "" : text, clientMsgId, null, attachment));
    }

    private Uni<Sent> append(NewEntry.Send entry) {
        String roomId = entry.roomId();
        UserView sender = entry.user();
        return write(entry).map(Sent.class::cast)
                .invoke(sent -> {
                    // after commit; a retry publishes the stored message again, at most once per window:
                    // its first attempt may have died between commit and publish (subscribers' live
                    // streams drop the copy)
                    if (sent.joined()) {
                        events.memberJoined(roomId, sender);
                    }
                    if (sent.created() || republishes.due(roomId, sent.message().seq())) {
                        publisher.publish(roomId, EventType.MESSAGE, sent.message().seq(), null, sent.message());
                    }
                });
    }

    /** A new text for the caller's own message; mentions are found again. */
    public Uni<Changed> edit(UserView user, String roomId, Long target, String text) {
        try {
            requireSeq("target", target);
            limits.requireText(text);
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        return change(new NewEntry.Edit(user, roomId, target, text));
    }

    /** Deletes a message (its author, or an owner or admin of the room): its text is erased. */
    public Uni<Changed> delete(UserView user, String roomId, Long target) {
        try {
            requireSeq("target", target);
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        return change(new NewEntry.Delete(user, roomId, target));
    }

    /** Adds ({@code on}) or takes back the caller's reaction; a reaction that changes nothing stores nothing. */
    public Uni<Changed> react(UserView user, String roomId, Long target, String emoji, Boolean on) {
        try {
            requireSeq("target", target);
            limits.requireEmoji(emoji);
            if (on == null) {
                throw ParleyException.badRequest("on must be true or false");
            }
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        return change(new NewEntry.React(user, roomId, target, emoji, on));
    }

    private Uni<Changed> change(NewEntry entry) {
        return write(entry).map(Changed.class::cast).invoke(changed -> {
            if (changed.stored()) {
                publisher.publish(changed.room(), changed.type(), changed.seq(), null, changed.event());
            }
        });
    }

    // Timed here, where both paths (group commit or a transaction per change) start: the latency a
    // sender waits for, queueing included. Refused changes are not timed. The outcome comes back in
    // the sender's trace context (tracing on), so that the publish after the commit joins its trace.
    private Uni<Object> write(NewEntry entry) {
        long start = System.nanoTime();
        return tracing.keepContext(batching ? batcher.submit(entry) : writer.writeOne(entry))
                .invoke(outcome -> logMetrics.answered(start));
    }

    private static void requireSeq(String name, Long seq) {
        if (seq != null && seq < 1) {
            throw ParleyException.badRequest(name + " must be a seq (at least 1)");
        }
        if (seq == null && !"replyTo".equals(name)) {
            throw ParleyException.badRequest(name + " is required");
        }
    }

    /** A page of messages in their current state; with {@code replyTo}, of the replies to that message. */
    public Uni<HistoryPage> history(UserView reader, String roomId, Long before, Long after, Integer limit, Long replyTo) {
        int pageSize;
        try {
            pageSize = limits.historyPage(limit);
            requireSeq("replyTo", replyTo);
            if (before != null && after != null) {
                throw ParleyException.badRequest("give before or after, not both");
            }
            if (before != null && before < 1 || after != null && after < 0) {
                throw ParleyException.badRequest("before must be at least 1 and after at least 0");
            }
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        return rooms.access(reader.id(), roomId).invoke(access -> access.requireRead())
                .call(() -> replyTo == null ? Uni.createFrom().voidItem()
                        : messages.exists(pool, roomId, replyTo).invoke(found -> {
                            if (!found) {
                                throw ParleyException.notFound("replyTo names no message of this room");
                            }
                        }))
                .chain(access -> {
            Uni<List<MessageView>> rows = after != null ? messages.oldestAfter(pool, roomId, after, replyTo, pageSize)
                    : messages.newest(pool, roomId, before, replyTo, pageSize);
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

    /** What a subscriber with {@code since} missed: the newest {@value #REPLAY_LIMIT} entries after it at most. */
    public record Replay(long lastSeq, List<LogEntryView.Entry> entries, boolean truncated) {
    }

    /**
     * The entries of every kind a subscriber missed after {@code since}, up to {@code upTo} (where
     * it meets the live stream), each showing the current state of what it acts on.
     */
    public Uni<Replay> replay(String roomId, Long since, long upTo) {
        if (since == null || since >= upTo) {
            return Uni.createFrom().item(new Replay(upTo, List.of(), false));
        }
        return messages.entries(pool, roomId, since, upTo, REPLAY_LIMIT + 1, true).map(missed -> {
            boolean truncated = missed.size() > REPLAY_LIMIT;
            return new Replay(upTo, truncated ? missed.subList(1, missed.size()) : missed, truncated);
        });
    }

    /** The entries after {@code seq} up to {@code upTo}, oldest first, at most {@code limit}: filling a gap of the live stream. */
    public Uni<List<LogEntryView.Entry>> entries(String roomId, long after, long upTo, int limit) {
        return messages.entries(pool, roomId, after, upTo, limit, false);
    }
}

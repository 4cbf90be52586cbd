package dev.parley.message;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

import dev.parley.auth.UserView;
import dev.parley.config.RequestLimits;
import dev.parley.problem.ParleyException;
import dev.parley.room.RoomAccess;
import dev.parley.room.RoomRepository;

/**
 * Full-text search over the current text of the messages a user may read (PostgreSQL full-text
 * search: the generated {@code messages.search} vector and its GIN index, V6). The rooms searched are
 * those {@link RoomAccess} lets the caller read, or the one room asked for if they may read it.
 */
@ApplicationScoped
public class MessageSearch {

    private final Pool pool;
    private final RoomRepository rooms;
    private final MessageRepository messages;
    private final RequestLimits limits;

    public MessageSearch(Pool pool, RoomRepository rooms, MessageRepository messages, RequestLimits limits) {
        this.pool = pool;
        this.rooms = rooms;
        this.messages = messages;
        this.limits = limits;
    }

    /** One result: the message (in its current state) and its room's id. */
    @Schema(name = "SearchResult")
    public record Result(String room, MessageView message) {
    }

    /** A page of results, newest first; {@code next} (when {@code hasMore}) is the {@code before} of the next page. */
    @Schema(name = "SearchPage")
    public record Page(List<Result> results, boolean hasMore, String next) {
    }

    public Uni<Page> search(UserView caller, String q, String roomId, Integer limit, String before) {
        String query;
        int pageSize;
        Cursor after;
        try {
            query = limits.requireSearchQuery(q);
            pageSize = limits.searchPage(limit);
            after = before == null || before.isEmpty() ? null : Cursor.parse(before);
        } catch (ParleyException e) {
            return Uni.createFrom().failure(e);
        }
        Uni<String[]> searched = roomId == null || roomId.isEmpty() ? rooms.readableIds(caller.id())
                : rooms.access(caller.id(), roomId).invoke(RoomAccess::requireRead).map(access -> new String[] { roomId });
        return searched.chain(ids -> ids.length == 0 ? Uni.createFrom().item(List.<MessageView>of())
                : messages.search(pool, ids, query, after == null ? null : after.room(), after == null ? null : after.seq(),
                        pageSize))
                .map(found -> {
                    boolean hasMore = found.size() > pageSize;
                    List<MessageView> page = hasMore ? found.subList(0, pageSize) : found;
                    MessageView last = page.isEmpty() ? null : page.get(page.size() - 1);
                    return new Page(page.stream().map(m -> new Result(m.room(), m)).toList(), hasMore,
                            hasMore ? new Cursor(last.room(), last.seq()).encode() : null);
                });
    }

    // The place of the last result of a page, opaque to clients.
    private record Cursor(String room, long seq) {
        String encode() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString((room + ":" + seq).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor parse(String text) {
            try {
                String decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int colon = decoded.lastIndexOf(':');
                return new Cursor(decoded.substring(0, colon), Long.parseLong(decoded.substring(colon + 1)));
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw ParleyException.badRequest("before must be the next of a previous page");
            }
        }
    }
}

package dev.parley.config;

import jakarta.enterprise.context.ApplicationScoped;

import dev.parley.problem.ParleyException;

/**
 * The size and count limits of what a client may send, in one place (the rates are enforced where
 * they are counted: per connection by the gateway, per user by the limit package, logins by the login
 * throttle). Each check throws
 * the protocol's error; a request refused here has changed nothing.
 */
@ApplicationScoped
public class RequestLimits {

    private static final int CLIENT_MSG_ID_MAX = 64;
    // Room ids are UUIDs: 36 characters.
    private static final int ROOM_ID_MAX = 36;
    private static final int DEFAULT_HISTORY_PAGE = 50;
    private static final int DEFAULT_MEMBER_PAGE = 100;
    public static final int MEMBER_PAGE_MAX = 500;
    private static final int DEFAULT_ROOM_PAGE = 100;
    public static final int ROOM_PAGE_MAX = 500;
    private static final int DEFAULT_SEARCH_PAGE = 20;
    public static final int SEARCH_PAGE_MAX = 100;
    public static final int SEARCH_QUERY_MAX = 200;
    private static final int MAX_EMOJI_CODE_POINTS = 8;

    private final ParleyConfig.Limits config;

    public RequestLimits(ParleyConfig config) {
        this.config = config.limits();
    }

    public void requireText(String text) {
        if (text == null || text.isBlank()) {
            throw ParleyException.badRequest("text must not be empty");
        }
        int max = config.textLength();
        // code points, not chars: an emoji is one character to the user
        if (text.length() > max && text.codePointCount(0, text.length()) > max) {
            throw ParleyException.tooLarge("text exceeds " + max + " characters");
        }
    }

    public void requireClientMsgId(String clientMsgId) {
        if (clientMsgId != null && (clientMsgId.isEmpty() || clientMsgId.length() > CLIENT_MSG_ID_MAX)) {
            throw ParleyException.badRequest("clientMsgId must be 1 to " + CLIENT_MSG_ID_MAX + " characters");
        }
    }

    public String requireRoomId(String room) {
        if (room == null || room.isBlank() || room.length() > ROOM_ID_MAX) {
            throw ParleyException.badRequest("room must be a room id");
        }
        return room;
    }

    /** The members page size for a requested {@code limit}: 100 when none is given, at most {@value #MEMBER_PAGE_MAX}. */
    public int memberPage(Integer limit) {
        if (limit == null) {
            return DEFAULT_MEMBER_PAGE;
        }
        if (limit < 1) {
            throw ParleyException.badRequest("limit must be at least 1");
        }
        return Math.min(limit, MEMBER_PAGE_MAX);
    }

    /** The rooms page size for a requested {@code limit}: 100 when none is given, at most {@value #ROOM_PAGE_MAX}. */
    public int roomPage(Integer limit) {
        if (limit == null) {
            return DEFAULT_ROOM_PAGE;
        }
        if (limit < 1) {
            throw ParleyException.badRequest("limit must be at least 1");
        }
        return Math.min(limit, ROOM_PAGE_MAX);
    }

    /** The search page size for a requested {@code limit}: 20 when none is given, at most {@value #SEARCH_PAGE_MAX}. */
    public int searchPage(Integer limit) {
        if (limit == null) {
            return DEFAULT_SEARCH_PAGE;
        }
        if (limit < 1) {
            throw ParleyException.badRequest("limit must be at least 1");
        }
        return Math.min(limit, SEARCH_PAGE_MAX);
    }

    /** A search query: not blank, at most {@value #SEARCH_QUERY_MAX} characters. */
    public String requireSearchQuery(String q) {
        if (q == null || q.isBlank()) {
            throw ParleyException.badRequest("q must not be empty");
        }
        if (q.length() > SEARCH_QUERY_MAX) {
            throw ParleyException.tooLarge("q exceeds " + SEARCH_QUERY_MAX + " characters");
        }
        return q.strip();
    }

    /**
     * A query parameter that must be an integer, or null when absent. Parsed here because JAX-RS
     * would answer 404 to "limit=abc"; values beyond an int are clamped (they only ever mean "many").
     */
    public static Long integerParam(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ParleyException.badRequest(name + " must be an integer");
        }
    }

    /** {@link #integerParam} for a page size. */
    public static Integer pageParam(String value) {
        Long l = integerParam("limit", value);
        return l == null ? null : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, l));
    }

    /** The page size for a requested {@code limit}: 50 when none is given, clamped to the largest page. */
    public int historyPage(Integer limit) {
        if (limit == null) {
            return Math.min(DEFAULT_HISTORY_PAGE, config.historyPage());
        }
        if (limit < 1) {
            throw ParleyException.badRequest("limit must be at least 1");
        }
        return Math.min(limit, config.historyPage());
    }

    /** An emoji: 1 to 8 code points, no whitespace, nothing that reads as markup. */
    public void requireEmoji(String emoji) {
        if (emoji == null || emoji.isEmpty()) {
            throw ParleyException.badRequest("emoji is required");
        }
        int points = emoji.codePointCount(0, emoji.length());
        if (points > MAX_EMOJI_CODE_POINTS) {
            throw ParleyException.badRequest("emoji must be 1 to " + MAX_EMOJI_CODE_POINTS + " code points");
        }
        boolean bad = emoji.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c)
                || Character.isISOControl(c) || "<>&\"'`".indexOf(c) >= 0);
        if (bad) {
            throw ParleyException.badRequest("emoji must have no whitespace or markup");
        }
    }

    /**
     * Refuses one more bot to a user who owns {@code owned} already. Waiting does not help (deleting a
     * bot does), so the answer carries no {@code Retry-After}.
     */
    public void requireBotSlot(long owned) {
        if (config.bots() > 0 && owned >= config.bots()) {
            throw ParleyException.rateLimited("at most " + config.bots() + " bots per user");
        }
    }

    /** Refuses one more subscription on a connection that has {@code current} already. */
    public void requireSubscriptionSlot(int current) {
        if (current >= config.subscriptions()) {
            throw ParleyException.tooLarge("at most " + config.subscriptions() + " subscriptions per connection");
        }
    }
}

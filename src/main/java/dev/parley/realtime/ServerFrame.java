package dev.parley.realtime;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.parley.auth.UserView;
import dev.parley.message.MessageView;

/**
 * The payloads of the frames the gateway itself writes: the {@code ok} answers, whose fields follow
 * {@code type} and {@code id}, and the {@code typing} event. (Log entries and room events are
 * published by the services that make them, with their own payloads.)
 *
 * <p>Written by the gateway's own {@code ObjectMapper} calls, which no REST signature shows Quarkus:
 * registered for reflection here, nested records included, for the native image.
 */
@RegisterForReflection
public final class ServerFrame {

    private ServerFrame() {
    }

    /**
     * The answer to {@code subscribe}: {@code lastSeq} where the live stream meets the replay; the
     * caller's read marker and unread counts.
     */
    public record Subscribed(String room, long lastSeq, long readSeq, long unread, long mentions, List<UserView> presence,
            int missed, boolean truncated) {
    }

    /** The answer to {@code read}: the marker now (it never moves backwards). */
    public record ReadMarker(String room, long seq) {
    }

    /** The answer to {@code unsubscribe}. */
    public record RoomOnly(String room) {
    }

    /** The answer to {@code send}: where the message went in the room's log. */
    public record Stored(String room, long seq, String ts) {
    }

    /** The answer to {@code edit}, {@code delete} and {@code react}: the entry's seq (none for a react that changed nothing). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Changed(String room, Long seq, long target) {
    }

    /** The answer to {@code history}. */
    public record Page(String room, List<MessageView> messages, boolean hasMore) {
    }

    /** The answer to {@code auth}: when the new token expires, in seconds since the epoch. */
    public record Reauthenticated(Long expiresAt) {
    }

    /** The {@code typing} event. */
    public record Typing(String room, UserView user) {
    }

    /**
     * The {@code room.activity} event, to a member's connections not subscribed to the room: an entry
     * that may change their unread counts ({@code kind}: {@code message}, {@code message.edited} or
     * {@code message.deleted}), by {@code user}, whether it mentions them, and the message it acts on.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Activity(String room, long seq, String kind, UserView user, boolean mention, Long target) {
    }
}

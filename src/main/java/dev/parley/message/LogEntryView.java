package dev.parley.message;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.parley.auth.UserView;
import dev.parley.fanout.EventType;

/**
 * The log entries that act on a message, as their events carry them: {@code seq} is the entry's
 * place in the log, {@code target} the seq of the message it acts on.
 *
 * <p>Serialized into room events, outside any REST signature: registered for reflection here, nested
 * records included, for the native image.
 */
@RegisterForReflection
public final class LogEntryView {

    private LogEntryView() {
    }

    /**
     * {@code message.edited}: the message's text after the edit. Replayed later, it shows the
     * message's current text, or {@code deleted: true} and no text once the message was deleted.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Edited(String room, long seq, long target, UserView user, String text, String editedAt,
            List<UserView> mentions, Boolean deleted) {
    }

    /** {@code message.deleted}; {@code user} is who deleted it. */
    public record Deleted(String room, long seq, long target, UserView user) {
    }

    /** {@code reaction}: {@code user} added ({@code on}) or took back an emoji. */
    public record Reaction(String room, long seq, long target, String emoji, UserView user, boolean on) {
    }

    /** Any entry of the log with its event type, for replays and repairs. */
    public record Entry(EventType type, long seq, Object payload) {
    }
}

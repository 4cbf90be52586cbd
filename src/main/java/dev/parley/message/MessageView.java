package dev.parley.message;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.parley.auth.UserView;

/**
 * A message in its current state, as the {@code message} event and the history carry it; absent
 * fields are left out. A deleted message has no text ({@code deleted: true}): it was erased.
 *
 * <p>Registered for reflection (with {@link ReactionView}) for the native image: events and webhook
 * bodies carry it whether or not a REST signature still does.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Message")
public record MessageView(String room, long seq, UserView user, String text, String ts, String clientMsgId,
        Long replyTo, List<UserView> mentions, AttachmentView attachment, String editedAt, Boolean deleted,
        List<ReactionView> reactions) {

    /** A message just stored: no edits, no reactions yet. */
    public static MessageView stored(String room, long seq, UserView user, String text, String ts, String clientMsgId,
            Long replyTo, List<UserView> mentions, AttachmentView attachment) {
        return new MessageView(room, seq, user, text, ts, clientMsgId, replyTo, mentions.isEmpty() ? null : mentions,
                attachment, null, null, null);
    }

    /** The same message with its reactions. */
    public MessageView withReactions(List<ReactionView> now) {
        return new MessageView(room, seq, user, text, ts, clientMsgId, replyTo, mentions, attachment, editedAt, deleted,
                now.isEmpty() ? null : now);
    }

    /** One emoji's reactions to a message: how many, and the first ten who reacted. */
    @Schema(name = "Reaction")
    public record ReactionView(String emoji, long count, List<String> users) {
    }
}

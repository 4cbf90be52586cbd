package dev.parley.message;

import dev.parley.auth.UserView;

/** A change on its way into the room log, validated but not yet authorized or stored. */
public sealed interface NewEntry {

    UserView user();

    String roomId();

    /**
     * A new message; {@code replyTo}: the seq of a message of the room it answers, or null;
     * {@code attachment}: a file already stored for it, or null.
     */
    record Send(UserView user, String roomId, String text, String clientMsgId, Long replyTo, AttachmentView attachment)
            implements NewEntry {
    }

    /** A new text for the user's own message {@code target}. */
    record Edit(UserView user, String roomId, long target, String text) implements NewEntry {
    }

    /** The deletion of message {@code target}, by its author or an owner/admin of the room. */
    record Delete(UserView user, String roomId, long target) implements NewEntry {
    }

    /** The user's reaction {@code emoji} to message {@code target} added ({@code on}) or taken back. */
    record React(UserView user, String roomId, long target, String emoji, boolean on) implements NewEntry {
    }
}

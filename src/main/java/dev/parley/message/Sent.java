package dev.parley.message;

/**
 * The outcome of a send: the message, whether this call stored it (false: a retry answered with the
 * stored message), and whether the sender became a member of the (public) room by it.
 */
public record Sent(MessageView message, boolean created, boolean joined) {
}

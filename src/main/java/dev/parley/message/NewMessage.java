package dev.parley.message;

import dev.parley.auth.UserView;

/** A send on its way into the room log, validated but not yet authorized or stored. */
public record NewMessage(UserView sender, String roomId, String text, String clientMsgId) {
}

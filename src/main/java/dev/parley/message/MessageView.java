package dev.parley.message;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.parley.auth.UserView;

/** A message as the {@code message} event and the history carry it; absent fields are left out. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MessageView(String room, long seq, UserView user, String text, String ts, String clientMsgId,
        String editedAt, Boolean deleted) {
}

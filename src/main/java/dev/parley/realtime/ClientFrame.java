package dev.parley.realtime;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A frame sent by a client, discriminated by {@code type}. Requests that want an answer carry the
 * client-chosen {@code id}, echoed in the {@code ok}/{@code error} answer.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ClientFrame.Ping.class, name = "ping"),
        @JsonSubTypes.Type(value = ClientFrame.Auth.class, name = "auth"),
})
public sealed interface ClientFrame {

    String id();

    record Ping(String id) implements ClientFrame {
    }

    /** Replaces the connection's identity with a fresher token of the same user (token refresh). */
    record Auth(String id, String token) implements ClientFrame {
    }
}

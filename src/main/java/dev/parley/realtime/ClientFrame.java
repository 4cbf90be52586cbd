package dev.parley.realtime;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A frame sent by a client, discriminated by {@code type}. Requests that want an answer carry the
 * client-chosen {@code id}, echoed in the {@code ok}/{@code error} answer.
 *
 * <p>Read by {@link FrameCodec}'s own {@code ObjectMapper} calls: registered for reflection here,
 * nested records included, for the native image.
 */
@RegisterForReflection
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ClientFrame.Ping.class, name = "ping"),
        @JsonSubTypes.Type(value = ClientFrame.Auth.class, name = "auth"),
        @JsonSubTypes.Type(value = ClientFrame.Subscribe.class, name = "subscribe"),
        @JsonSubTypes.Type(value = ClientFrame.Unsubscribe.class, name = "unsubscribe"),
        @JsonSubTypes.Type(value = ClientFrame.Send.class, name = "send"),
        @JsonSubTypes.Type(value = ClientFrame.History.class, name = "history"),
        @JsonSubTypes.Type(value = ClientFrame.Typing.class, name = "typing"),
        @JsonSubTypes.Type(value = ClientFrame.Edit.class, name = "edit"),
        @JsonSubTypes.Type(value = ClientFrame.Delete.class, name = "delete"),
        @JsonSubTypes.Type(value = ClientFrame.React.class, name = "react"),
        @JsonSubTypes.Type(value = ClientFrame.Read.class, name = "read"),
})
public sealed interface ClientFrame {

    String id();

    /** The room the frame acts on; null for a frame about none (ping, auth). */
    default String room() {
        return null;
    }

    record Ping(String id) implements ClientFrame {
    }

    /** {@code since}: the last seq the client has; the messages after it are replayed before the ok. */
    record Subscribe(String id, String room, Long since) implements ClientFrame {
    }

    record Unsubscribe(String id, String room) implements ClientFrame {
    }

    /** {@code replyTo}: the seq of the message of the room this one answers. */
    record Send(String id, String room, String text, String clientMsgId, Long replyTo) implements ClientFrame {
    }

    /** {@code replyTo}: only the replies to that message (a thread). */
    record History(String id, String room, Long before, Long after, Integer limit, Long replyTo) implements ClientFrame {
    }

    /** A new text for the sender's own message {@code target}. */
    record Edit(String id, String room, Long target, String text) implements ClientFrame {
    }

    record Delete(String id, String room, Long target) implements ClientFrame {
    }

    /** Adds ({@code on}) or takes back the sender's reaction {@code emoji} to message {@code target}. */
    record React(String id, String room, Long target, String emoji, Boolean on) implements ClientFrame {
    }

    record Typing(String id, String room) implements ClientFrame {
    }

    /** Moves the sender's read marker of the room to {@code seq}. */
    record Read(String id, String room, Long seq) implements ClientFrame {
    }

    /** Replaces the connection's identity with a fresher token of the same user (token refresh). */
    record Auth(String id, String token) implements ClientFrame {
    }
}

package dev.parley.realtime;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.parley.problem.ErrorCode;

/** Builds the server's answers: {@code ok}, {@code error} and {@code pong}, each echoing the request id. */
@ApplicationScoped
public class ServerFrames {

    private final FrameCodec codec;

    public ServerFrames(FrameCodec codec) {
        this.codec = codec;
    }

    /** {@code {"type":"ok","id":…}} followed by the fields of {@code payload} (a record), if any. */
    public String ok(String id, Object payload) {
        ObjectNode frame = codec.mapper().createObjectNode().put("type", "ok").put("id", id);
        if (payload != null) {
            JsonNode fields = codec.mapper().valueToTree(payload);
            frame.setAll((ObjectNode) fields);
        }
        return frame.toString();
    }

    public String error(String id, ErrorCode code, String message) {
        ObjectNode frame = codec.mapper().createObjectNode().put("type", "error");
        if (id != null) {
            frame.put("id", id);
        } else {
            frame.putNull("id");
        }
        return frame.put("code", code.wire()).put("message", message).toString();
    }

    /** A server-pushed event: {@code {"type":…}} followed by the payload's fields, and no id. */
    public String event(String type, Object payload) {
        ObjectNode frame = codec.mapper().createObjectNode().put("type", type);
        frame.setAll((ObjectNode) codec.mapper().valueToTree(payload));
        return frame.toString();
    }

    public String pong(String id) {
        return codec.mapper().createObjectNode().put("type", "pong").put("id", id).toString();
    }
}

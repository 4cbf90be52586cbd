package dev.parley.realtime;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.parley.problem.ErrorCode;
import dev.parley.wire.FrameJson;

/**
 * Writes the server's answers: {@code ok} with a {@link ServerFrame} payload, {@code error} and
 * {@code pong}, each echoing the request id.
 */
@ApplicationScoped
public class ServerFrames {

    private final ObjectMapper mapper;
    private final RealtimeMetrics metrics;

    public ServerFrames(ObjectMapper mapper, RealtimeMetrics metrics) {
        this.mapper = mapper;
        this.metrics = metrics;
    }

    /**
     * {@code {"type":"ok","id":…}} followed by the fields of {@code payload} (a record), if any;
     * serialized in one pass (every send is answered with one, so no tree in between).
     */
    public String ok(String id, Object payload) {
        try {
            String head = "{\"type\":\"ok\",\"id\":" + mapper.writeValueAsString(id);
            return payload == null ? head + "}" : FrameJson.join(head, mapper.writeValueAsString(payload));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize an ok of " + payload.getClass().getSimpleName(), e);
        }
    }

    public String error(String id, ErrorCode code, String message) {
        return error(id, code, message, null);
    }

    /** An error that may carry how long to wait before trying again ({@code retryAfterMs}). */
    public String error(String id, ErrorCode code, String message, Duration retryAfter) {
        metrics.errorSent(code); // every error frame is made here, just before it is written
        ObjectNode frame = mapper.createObjectNode().put("type", "error");
        if (id != null) {
            frame.put("id", id);
        } else {
            frame.putNull("id");
        }
        frame.put("code", code.wire()).put("message", message);
        if (retryAfter != null) {
            frame.put("retryAfterMs", Math.max(1, retryAfter.toMillis()));
        }
        return frame.toString();
    }

    public String pong(String id) {
        return mapper.createObjectNode().put("type", "pong").put("id", id).toString();
    }
}

package dev.parley.realtime;

import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.parley.config.ParleyConfig;
import dev.parley.problem.ErrorCode;
import dev.parley.wire.ClientText;

/**
 * Reads client frames strictly (one JSON object and nothing after it, a number is not a string, a
 * string is not a number, text by {@link ClientText}'s rule, valid UTF-8 on the wire); answers are
 * built by {@link ServerFrames}. Every way a frame can be wrong ends in a {@link FrameException} with
 * a code.
 */
@ApplicationScoped
public class FrameCodec {

    private final ObjectMapper mapper;
    private final int frameLimit;

    public FrameCodec(ParleyConfig config, ObjectMapper mapper) {
        this.frameLimit = config.limits().frameSize();
        // Quarkus's mapper, made strict by StrictJsonCustomizer
        this.mapper = mapper;
    }

    public ClientFrame read(String raw) {
        // The common case, a good frame, in one pass; any fault is named by the checks below.
        if (!overLimit(raw)) {
            try {
                ClientFrame frame = mapper.readValue(raw, ClientFrame.class);
                if (frame != null) { // JSON null reads as no frame at all
                    return frame;
                }
            } catch (JsonProcessingException e) {
                // read again step by step, to answer with the field at fault (and the request id)
            }
        }
        return readStepByStep(raw);
    }

    private ClientFrame readStepByStep(String raw) {
        if (TextMessageGuard.isMarked(raw)) {
            throw new FrameException(ErrorCode.BAD_REQUEST, null, "a text frame must be valid UTF-8");
        }
        JsonNode tree;
        try {
            // Frames up to 1 MiB reach this point (larger ones close the socket): parsing one is cheap,
            // and it lets even a too_large answer carry the request id.
            tree = mapper.readTree(raw);
        } catch (JsonProcessingException e) {
            throw new FrameException(overLimit(raw) ? ErrorCode.TOO_LARGE : ErrorCode.BAD_REQUEST, null,
                    overLimit(raw) ? "frame exceeds " + frameLimit + " bytes" : "malformed JSON");
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new FrameException(ErrorCode.BAD_REQUEST, null, "a frame must be a JSON object");
        }
        JsonNode idNode = object.get("id");
        // an id that is itself refused is not echoed: the answer would carry the bad text back
        String id = idNode != null && idNode.isTextual() && ClientText.fault(idNode.asText()) == null
                ? idNode.asText() : null;
        if (overLimit(raw)) {
            throw new FrameException(ErrorCode.TOO_LARGE, id, "frame exceeds " + frameLimit + " bytes");
        }
        if (idNode != null && !idNode.isNull() && !idNode.isTextual()) {
            throw new FrameException(ErrorCode.BAD_REQUEST, null, "id must be a string");
        }
        JsonNode type = object.get("type");
        if (type == null || !type.isTextual()) {
            throw new FrameException(ErrorCode.BAD_REQUEST, id, "type must be a string");
        }
        try {
            return mapper.treeToValue(object, ClientFrame.class);
        } catch (InvalidTypeIdException e) {
            throw new FrameException(ErrorCode.BAD_REQUEST, id, "unknown type: " + type.asText());
        } catch (MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? "frame" : e.getPath().get(e.getPath().size() - 1).getFieldName();
            throw new FrameException(ErrorCode.BAD_REQUEST, id, refusedText(e)
                    ? field + " " + ClientText.fault(String.valueOf(((InvalidFormatException) e).getValue()))
                    : "invalid field: " + field);
        } catch (JsonProcessingException e) {
            throw new FrameException(ErrorCode.BAD_REQUEST, id, "invalid frame");
        }
    }

    // the only strings refused while reading are those that break the rule for client text
    private static boolean refusedText(MismatchedInputException e) {
        return e instanceof InvalidFormatException invalid && invalid.getTargetType() == String.class;
    }

    private boolean overLimit(String s) {
        // A char is one to three UTF-8 bytes, so the exact count is needed only near the limit.
        if (s.length() > frameLimit) {
            return true;
        }
        if ((long) s.length() * 3 <= frameLimit) {
            return false;
        }
        return s.getBytes(StandardCharsets.UTF_8).length > frameLimit;
    }
}

package dev.parley.testsupport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Client frames for tests, written as JSON the way a client would; and JSON read back. */
public final class Frames {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Frames() {
    }

    /** A frame of {@code type} with request id {@code id} and fields given as alternating names and values. */
    public static String frame(String type, String id, Object... fields) {
        ObjectNode node = JSON.createObjectNode().put("type", type).put("id", id);
        for (int i = 0; i < fields.length; i += 2) {
            node.set((String) fields[i], JSON.valueToTree(fields[i + 1]));
        }
        return node.toString();
    }

    /** A JSON text as a tree (a REST body, a frame). */
    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }
}

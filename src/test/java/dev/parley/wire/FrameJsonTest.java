package dev.parley.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class FrameJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Stored(String room, long seq, String ts, List<String> tags) {
    }

    record Nothing() {
    }

    @Test
    void theFrameIsWhatMergingTheTreesGave() throws Exception {
        for (Object payload : List.of(new Stored("r\"1", 42, "2026-12-02T03:00:00.000Z", List.of("a", "é")), new Nothing(),
                Map.of("room", "x"))) {
            String head = "{\"type\":\"ok\",\"id\":" + JSON.writeValueAsString("id-\u00e9\"7");
            String joined = FrameJson.join(head, JSON.writeValueAsString(payload));
            ObjectNode merged = JSON.createObjectNode().put("type", "ok").put("id", "id-\u00e9\"7");
            merged.setAll((ObjectNode) JSON.valueToTree(payload));
            // the same text, byte for byte (a tree read back would differ only in number node types)
            assertThat(joined).isEqualTo(merged.toString());
        }
    }

    @Test
    void aPayloadThatIsNoObjectIsRefused() {
        for (String payload : new String[] {"null", "[1]", "\"text\"", ""}) {
            assertThatThrownBy(() -> FrameJson.join("{\"type\":\"x\"", payload)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}

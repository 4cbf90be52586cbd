package dev.parley.wire;

/**
 * Builds a frame from its leading fields and a payload object serialized on its own, without an
 * intermediate JSON tree: the payload's fields follow the leading ones. The payload must be a
 * JSON object and must not repeat a leading field (the frames' payload records name neither
 * {@code type} nor {@code id}).
 */
public final class FrameJson {

    private FrameJson() {
    }

    /** {@code head} is an unclosed object, e.g. {@code {"type":"ok","id":"7"}; {@code payload} is {@code {…}}. */
    public static String join(CharSequence head, String payload) {
        if (payload.length() < 2 || payload.charAt(0) != '{') {
            throw new IllegalArgumentException("the payload of a frame must be a JSON object: " + payload);
        }
        StringBuilder frame = new StringBuilder(head.length() + payload.length() + 1).append(head);
        if (payload.length() == 2) {
            return frame.append('}').toString();
        }
        return frame.append(',').append(payload, 1, payload.length()).toString();
    }
}

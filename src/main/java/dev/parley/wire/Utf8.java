package dev.parley.wire;

/** The size of text on the wire, where WebSocket text frames carry UTF-8. */
public final class Utf8 {

    private Utf8() {
    }

    /**
     * How many bytes {@code text} takes in UTF-8, counted without encoding it. A lone surrogate
     * counts as the one replacement byte the encoder writes for it.
     */
    public static int length(String text) {
        int bytes = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}

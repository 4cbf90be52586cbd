package dev.parley.wire;

/** The size and validity of text on the wire, where WebSocket text frames carry UTF-8. */
public final class Utf8 {

    /** The state between characters: every byte so far forms whole, valid UTF-8 sequences. */
    public static final int ACCEPT = 0;
    /** The state after a byte that no valid UTF-8 text can hold; it never changes back. */
    public static final int REJECT = -1;

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

    /**
     * The state after one more byte of a UTF-8 stream, starting from {@link #ACCEPT}; a stream is
     * valid when it ends in {@link #ACCEPT}. Strict as RFC 3629 is: no overlong forms, no encoded
     * surrogates (U+D800–U+DFFF), nothing above U+10FFFF. A stream can be fed in pieces that split a
     * character, as WebSocket fragments do.
     */
    public static int next(int state, byte value) {
        int b = value & 0xff;
        if (state == REJECT) {
            return REJECT;
        }
        if (state == ACCEPT) {
            if (b < 0x80) {
                return ACCEPT;
            }
            if (b < 0xC2) {
                return REJECT; // a continuation byte, or the lead of an overlong two-byte form
            }
            if (b < 0xE0) {
                return expect(1, 0x80, 0xBF);
            }
            if (b < 0xF0) {
                // E0 would be overlong below A0; ED A0 and above encode surrogates
                return expect(2, b == 0xE0 ? 0xA0 : 0x80, b == 0xED ? 0x9F : 0xBF);
            }
            if (b < 0xF5) {
                // F0 would be overlong below 90; F4 90 and above is past U+10FFFF
                return expect(3, b == 0xF0 ? 0x90 : 0x80, b == 0xF4 ? 0x8F : 0xBF);
            }
            return REJECT;
        }
        int remaining = state & 0xff;
        if (b < ((state >>> 8) & 0xff) || b > ((state >>> 16) & 0xff)) {
            return REJECT;
        }
        return remaining == 1 ? ACCEPT : expect(remaining - 1, 0x80, 0xBF);
    }

    // the continuation bytes still expected, and the range the next one must be in
    private static int expect(int remaining, int low, int high) {
        return remaining | low << 8 | high << 16;
    }

    /** Whether {@code text} has a surrogate without its partner, which no UTF-8 text can carry. */
    public static boolean hasUnpairedSurrogate(CharSequence text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}

package dev.parley.wire;

/**
 * The protocol's rule for text: no NUL or other C0 control character except tab, newline and
 * carriage return, in any text a client sends (message text, names, ids, passwords). PostgreSQL
 * refuses NUL outright, and the others have no business in chat text.
 */
public final class ControlCharacters {

    private ControlCharacters() {
    }

    public static boolean in(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                return true;
            }
        }
        return false;
    }
}

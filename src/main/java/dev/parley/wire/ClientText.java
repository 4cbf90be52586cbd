package dev.parley.wire;

/**
 * The protocol's rule for every string a client sends in a JSON body or frame (message text, names,
 * ids, tokens): no control characters ({@link ControlCharacters}) and valid Unicode. JSON can
 * escape half of a surrogate pair on its own ({@code "\ud800"}); such a string cannot be written
 * as UTF-8, and PostgreSQL would store it as {@code ?}.
 */
public final class ClientText {

    public static final String CONTROL_CHARACTERS = "must not contain control characters";
    public static final String UNPAIRED_SURROGATE = "must be valid Unicode (no unpaired surrogate)";

    private ClientText() {
    }

    /** Why {@code text} is refused, or {@code null} when it is acceptable. */
    public static String fault(String text) {
        if (ControlCharacters.in(text)) {
            return CONTROL_CHARACTERS;
        }
        if (Utf8.hasUnpairedSurrogate(text)) {
            return UNPAIRED_SURROGATE;
        }
        return null;
    }
}

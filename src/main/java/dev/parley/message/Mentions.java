package dev.parley.message;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the {@code @username}s of a text: the names it may mention. Which of them are members of the
 * room (and so become {@code mentions}) is for the log writer to look up.
 */
final class Mentions {

    // "@" not inside a word or an address (so a@b.c is no mention), then a username's characters
    private static final Pattern NAME = Pattern.compile("(?<![\\p{Alnum}_.@-])@([A-Za-z0-9_.-]{3,32})");
    private static final int MAX_NAMES = 50;

    private Mentions() {
    }

    /** The lower-cased names after {@code @} in the text, in order, each once, at most 50. */
    static Set<String> names(String text) {
        Set<String> names = new LinkedHashSet<>();
        if (text == null || text.indexOf('@') < 0) {
            return names;
        }
        Matcher m = NAME.matcher(text);
        while (m.find() && names.size() < MAX_NAMES) {
            // a sentence's full stop or a dash after the name is not part of it
            String name = m.group(1).replaceAll("[.-]+$", "").toLowerCase(Locale.ROOT);
            if (name.length() >= 3) {
                names.add(name);
            }
        }
        return names;
    }
}

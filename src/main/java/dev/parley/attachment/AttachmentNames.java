package dev.parley.attachment;

/**
 * The one rule for an attachment's file name, as stored and as offered in {@code Content-Disposition}:
 * the last path segment only (both '/' and '\' separate), no control characters (C0, DEL, C1), no
 * leading or trailing blanks, never "." or ".." (nor any name of dots only), at most 255 characters; {@value #FALLBACK} when
 * nothing is left. Migration V11 applied the same rule to rows stored before it.
 */
public final class AttachmentNames {

    /** The name of a file whose given name leaves nothing usable. */
    public static final String FALLBACK = "file";

    private static final int NAME_MAX = 255;

    private AttachmentNames() {
    }

    public static String clean(String given) {
        String name = given == null ? "" : given.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1);
        StringBuilder kept = new StringBuilder(name.length());
        name.codePoints().forEach(c -> kept.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        name = kept.toString().strip();
        if (name.length() > NAME_MAX) {
            // keep the end, where the extension is, and never split a surrogate pair
            int from = name.length() - NAME_MAX;
            if (Character.isLowSurrogate(name.charAt(from))) {
                from++;
            }
            name = name.substring(from).strip();
        }
        // "." and ".." (and any name of dots only) name a directory, not a file
        return name.chars().allMatch(c -> c == '.') ? FALLBACK : name;
    }
}

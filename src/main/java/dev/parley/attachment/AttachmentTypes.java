package dev.parley.attachment;

import java.util.Set;

/**
 * The one rule for what an attachment is served as. Only raster images a browser shows as pictures
 * keep their sniffed type and are shown in the page; every other file (HTML, SVG, XML, JavaScript,
 * PDF, text, anything unknown) is recorded and served as {@value #DOWNLOAD} with
 * {@code Content-Disposition: attachment}, so that no uploaded file can ever run as a page of
 * Parley's origin. The type stored with the attachment is the type every message shape shows and
 * the download sends: they cannot disagree. Migration V11 applied the same rule to rows stored
 * before it.
 */
public final class AttachmentTypes {

    /** The type of everything that is not an allowed image. */
    public static final String DOWNLOAD = "application/octet-stream";

    private static final Set<String> INLINE = Set.of("image/png", "image/jpeg", "image/gif", "image/webp");

    private AttachmentTypes() {
    }

    /** The type to record for a file whose bytes were sniffed as {@code sniffed}. */
    public static String recorded(String sniffed) {
        return sniffed != null && INLINE.contains(sniffed) ? sniffed : DOWNLOAD;
    }

    /** Whether a file of this recorded type may be shown in the page ({@code inline}) rather than downloaded. */
    public static boolean inline(String recorded) {
        return INLINE.contains(recorded);
    }
}

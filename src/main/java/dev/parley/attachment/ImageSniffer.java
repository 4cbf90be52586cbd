package dev.parley.attachment;

/**
 * Names the image type of a file from its first bytes (its magic number), for the four types
 * {@link AttachmentTypes} shows in the page; anything else is no image to it. The signatures are
 * the ones Apache Tika's MIME database gives these types; a plain comparison of bytes needs no
 * reflection, no service loading and no configuration, in the JVM and in the native image alike.
 */
public final class ImageSniffer {

    /** How many leading bytes decide (WebP's signature is the longest). */
    public static final int HEAD = 12;

    private static final byte[] PNG = { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    private static final byte[] JPEG = { (byte) 0xff, (byte) 0xd8, (byte) 0xff };
    private static final byte[] GIF87A = { 'G', 'I', 'F', '8', '7', 'a' };
    private static final byte[] GIF89A = { 'G', 'I', 'F', '8', '9', 'a' };
    private static final byte[] RIFF = { 'R', 'I', 'F', 'F' };
    // after RIFF's four-byte chunk size
    private static final byte[] WEBP = { 'W', 'E', 'B', 'P' };

    private ImageSniffer() {
    }

    /** The image type {@code head} (a file's first bytes, at least {@link #HEAD} if it has them) starts with, or null. */
    public static String type(byte[] head) {
        if (startsWith(head, 0, PNG)) {
            return "image/png";
        }
        if (startsWith(head, 0, JPEG)) {
            return "image/jpeg";
        }
        if (startsWith(head, 0, GIF87A) || startsWith(head, 0, GIF89A)) {
            return "image/gif";
        }
        if (startsWith(head, 0, RIFF) && startsWith(head, 8, WEBP)) {
            return "image/webp";
        }
        return null;
    }

    private static boolean startsWith(byte[] bytes, int offset, byte[] signature) {
        if (bytes.length < offset + signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if (bytes[offset + i] != signature[i]) {
                return false;
            }
        }
        return true;
    }
}

package dev.parley.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** The magic numbers of the four inline image types, and everything that only looks like one. */
class ImageSnifferTest {

    @Test
    void eachImageTypeIsKnownByItsSignature() {
        assertThat(ImageSniffer.type(bytes(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R')))
                .isEqualTo("image/png");
        assertThat(ImageSniffer.type(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0))).isEqualTo("image/jpeg");
        assertThat(ImageSniffer.type(bytes(0xff, 0xd8, 0xff, 0xe1, 0x12, 0x34, 'E', 'x', 'i', 'f'))).isEqualTo("image/jpeg");
        assertThat(ImageSniffer.type(ascii("GIF87a\u0001\u0000\u0001\u0000"))).isEqualTo("image/gif");
        assertThat(ImageSniffer.type(ascii("GIF89a\u0001\u0000\u0001\u0000"))).isEqualTo("image/gif");
        // the four bytes after RIFF are the chunk size, whatever they are
        assertThat(ImageSniffer.type(ascii("RIFF\u0024\u0000\u0000\u0000WEBPVP8 "))).isEqualTo("image/webp");
        assertThat(ImageSniffer.type(bytes('R', 'I', 'F', 'F', 0xff, 0xff, 0xff, 0xff, 'W', 'E', 'B', 'P'))).isEqualTo("image/webp");
    }

    @Test
    void aNameOrAClaimSaysNothingOnlyTheBytesDo() {
        // what a file called photo.png or page.gif may really hold
        assertThat(ImageSniffer.type(ascii("<html><body><script>alert(1)</script></body></html>"))).isNull();
        assertThat(ImageSniffer.type(ascii("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>"))).isNull();
        assertThat(ImageSniffer.type(ascii("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n"))).isNull();
        assertThat(ImageSniffer.type(ascii("plain text that is not an image at all"))).isNull();
        // an image's signature further in does not make the file one
        assertThat(ImageSniffer.type(ascii(" GIF89a"))).isNull();
        assertThat(ImageSniffer.type(ascii("<html>\u0089PNG\r\n\u001a\n"))).isNull();
    }

    @Test
    void nearMissesAreNotImages() {
        assertThat(ImageSniffer.type(ascii("GIF88a\u0001\u0000"))).isNull();
        assertThat(ImageSniffer.type(ascii("gif89a\u0001\u0000"))).isNull();
        assertThat(ImageSniffer.type(bytes(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, 0x0d))).isNull(); // a corrupted line ending
        assertThat(ImageSniffer.type(bytes(0xff, 0xd8, 0xfe, 0xe0))).isNull();
        // other RIFF containers
        assertThat(ImageSniffer.type(ascii("RIFF\u0024\u0000\u0000\u0000WAVEfmt "))).isNull();
        assertThat(ImageSniffer.type(ascii("RIFF\u0024\u0000\u0000\u0000AVI LIST"))).isNull();
        assertThat(ImageSniffer.type(ascii("RIFX\u0024\u0000\u0000\u0000WEBPVP8 "))).isNull();
    }

    @Test
    void inputsShorterThanASignatureAreNotImages() {
        byte[] png = bytes(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
        byte[] webp = ascii("RIFF\u0024\u0000\u0000\u0000WEBP");
        for (int n = 0; n < png.length; n++) {
            assertThat(ImageSniffer.type(Arrays.copyOf(png, n))).as("%d bytes of PNG", n).isNull();
        }
        for (int n = 0; n < webp.length; n++) {
            assertThat(ImageSniffer.type(Arrays.copyOf(webp, n))).as("%d bytes of WebP", n).isNull();
        }
        assertThat(ImageSniffer.type(ascii("GIF89"))).isNull();
        assertThat(ImageSniffer.type(bytes(0xff, 0xd8))).isNull();
        // the shortest whole signatures are enough
        assertThat(ImageSniffer.type(png)).isEqualTo("image/png");
        assertThat(ImageSniffer.type(webp)).isEqualTo("image/webp");
        assertThat(ImageSniffer.type(bytes(0xff, 0xd8, 0xff))).isEqualTo("image/jpeg");
        assertThat(ImageSniffer.type(ascii("GIF87a"))).isEqualTo("image/gif");
    }

    @Test
    void whatIsSniffedIsWhatIsRecorded() {
        assertThat(AttachmentTypes.recorded(ImageSniffer.type(ascii("GIF89a")))).isEqualTo("image/gif");
        assertThat(AttachmentTypes.recorded(ImageSniffer.type(ascii("<html></html>")))).isEqualTo(AttachmentTypes.DOWNLOAD);
        assertThat(AttachmentTypes.recorded(ImageSniffer.type(new byte[0]))).isEqualTo(AttachmentTypes.DOWNLOAD);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] ascii(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }
}

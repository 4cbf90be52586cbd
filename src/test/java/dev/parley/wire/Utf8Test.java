package dev.parley.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class Utf8Test {

    @Test
    void countsWhatTheEncoderWrites() {
        for (String text : List.of("", "hello", "héllo", "日本語", "a😀b", "\uD83D", "x\uDE00y", "\uDE00\uD83D")) {
            assertThat(Utf8.length(text)).as(text).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void agreesWithTheEncoderOnRandomText() {
        Random random = new Random(42);
        for (int round = 0; round < 2_000; round++) {
            char[] chars = new char[random.nextInt(40)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = (char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10000));
            }
            String text = new String(chars);
            assertThat(Utf8.length(text)).as(text).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        }
    }
}

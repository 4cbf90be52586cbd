package dev.parley.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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

    @Test
    void validatesAsStrictlyAsTheJdkDecoder() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[random.nextInt(12)];
            for (int i = 0; i < bytes.length; i++) {
                // mostly the bytes around the multi-byte leads and their limits
                bytes[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(0x80) : 0x80 + random.nextInt(0x80));
            }
            assertThat(valid(bytes)).as(java.util.HexFormat.of().formatHex(bytes)).isEqualTo(jdkValid(bytes));
        }
        for (String text : List.of("", "plain", "h\u00e9", "\u20ac", "\ud83d\ude00", "\uffff", "\ud7ff\ue000", "\udbff\udfff")) {
            assertThat(valid(text.getBytes(StandardCharsets.UTF_8))).as(text).isTrue();
        }
        for (String hex : List.of("ff", "c0af", "c1bf", "eda080", "edbfbf", "e080af", "f08f8080", "f4908080", "f5", "80", "e282")) {
            assertThat(valid(java.util.HexFormat.of().parseHex(hex))).as(hex).isFalse();
        }
    }

    @Test
    void findsUnpairedSurrogates() {
        assertThat(Utf8.hasUnpairedSurrogate("a\ud83d\ude00b")).isFalse();
        for (String text : List.of("\ud83d", "\ude00", "x\ud800y", "\ude00\ud83d", "\ud83d\ud83d\ude00")) {
            assertThat(Utf8.hasUnpairedSurrogate(text)).as(text).isTrue();
        }
    }

    private static boolean valid(byte[] bytes) {
        int state = Utf8.ACCEPT;
        for (byte b : bytes) {
            state = Utf8.next(state, b);
        }
        return state == Utf8.ACCEPT;
    }

    private static boolean jdkValid(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}

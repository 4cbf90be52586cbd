package dev.parley.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Generates WebSocket frames for {@code FrameFuzzTest}, from a seed: the same seed and context give
 * the same inputs. Each input starts from a well-formed frame of one of the protocol's types
 * (docs/protocol.md, section 3) and is mutated: fields dropped, of the wrong JSON type, huge
 * numbers, unknown fields, deep nesting, escaped unpaired surrogates, control characters, invalid
 * UTF-8 bytes, oversize padding, broken or trailing JSON, values that are not objects; some are
 * sent in fragments split at any byte.
 * <p>
 * Each input says what it must get: {@link Verdict#BAD} an {@code error} answer (its id is the
 * string the answer carries, or {@code null} when the frame's id cannot be read, in which case the
 * answer comes before the answer to any later frame), {@link Verdict#ANY} any documented answer (a
 * mutation that leaves the frame valid), {@link Verdict#CLOSES} close code 1009 (over 1 MiB).
 */
public final class FuzzInputs {

    /** Over {@code parley.limits.frame-size} (64 KiB) and at most 1 MiB: too_large. */
    public static final int FRAME_LIMIT = 65_536;

    public enum Verdict { BAD, ANY, CLOSES }

    /** What the generated frames name: the fuzzer's room, a private room it is not in, its token and a message of its own. */
    public record Context(String room, String privateRoom, String token, long ownMessage) {
    }

    /** One input: its bytes as the fragments to send (one fragment: a whole frame). */
    public record Input(int index, String type, String id, List<byte[]> fragments, Verdict verdict, String description) {

        public int size() {
            return fragments.stream().mapToInt(f -> f.length).sum();
        }

        @Override
        public String toString() {
            byte[] all = new ByteArrayOutputStream() {
                {
                    fragments.forEach(this::writeBytes);
                }
            }.toByteArray();
            String text = new String(all, StandardCharsets.UTF_8);
            return "#" + index + " " + verdict + " " + description + " (" + fragments.size() + " fragment(s), " + all.length
                    + " bytes): " + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
        }
    }

    private static final List<String> TYPES = List.of("ping", "subscribe", "unsubscribe", "send", "history", "typing",
            "edit", "delete", "react", "read", "auth");
    private static final Map<String, List<String>> REQUIRED = Map.ofEntries(
            Map.entry("ping", List.of()), Map.entry("subscribe", List.of("room")), Map.entry("unsubscribe", List.of("room")),
            Map.entry("send", List.of("room", "text")), Map.entry("history", List.of("room")),
            Map.entry("typing", List.of("room")), Map.entry("edit", List.of("room", "target", "text")),
            Map.entry("delete", List.of("room", "target")), Map.entry("react", List.of("room", "target", "emoji", "on")),
            Map.entry("read", List.of("room", "seq")), Map.entry("auth", List.of("token")));
    private static final List<String> STRING_FIELDS = List.of("room", "text", "clientMsgId", "emoji", "token");
    private static final List<String> NUMBER_FIELDS = List.of("since", "replyTo", "before", "after", "limit", "target", "seq");
    private static final List<String> EMOJI = List.of("👍", "🎉", "❤️", "x", "🙂");
    private static final String[] HUGE_AND_ODD = { "9223372036854775807", "-9223372036854775808", "-1", "0", "-0", "1",
            "4294967296", "2147483648" };
    private static final String[] NOT_INTEGERS = { "1e400", "-1e400", "2.5", "1e3", "1.0", "99999999999999999999999999",
            "-9223372036854775809", "9223372036854775808", "0.0000001" };

    private final Random random;
    private final Context context;
    private int index;

    public FuzzInputs(long seed, Context context) {
        this.random = new Random(seed);
        this.context = context;
    }

    public Input next() {
        int n = index++;
        String type = TYPES.get(random.nextInt(TYPES.size()));
        String id = "f-" + n;
        Frame frame = base(type, id, n);
        int roll = random.nextInt(100);
        Input input;
        if (roll < 8) {
            input = structural(n, type, frame);
        } else if (roll < 12) {
            input = invalidUtf8(n, type, frame);
        } else if (roll < 13) {
            input = oversize(n, type, frame);
        } else {
            Verdict verdict = Verdict.ANY;
            List<String> done = new ArrayList<>();
            int mutations = 1 + random.nextInt(3);
            for (int i = 0; i < mutations; i++) {
                Verdict v = mutate(frame, done);
                if (v == Verdict.BAD) {
                    verdict = Verdict.BAD;
                }
            }
            input = new Input(n, type, frame.readableId ? id : null, List.of(frame.bytes()), verdict, String.join(", ", done));
        }
        // some go in fragments, split anywhere (inside a UTF-8 sequence too)
        if (input.fragments.size() == 1 && input.verdict != Verdict.CLOSES && random.nextInt(5) == 0) {
            return new Input(n, type, input.id, split(input.fragments.get(0)), input.verdict, input.description + ", fragmented");
        }
        return input;
    }

    /** The next input that closes the socket: one message over 1 MiB, whole or in fragments. */
    public Input oversizeClosing() {
        int n = index++;
        Frame frame = base("send", "f-" + n, n);
        frame.put("pad", quoted("y".repeat(1_048_576 + random.nextInt(100_000))));
        byte[] bytes = frame.bytes();
        List<byte[]> fragments = random.nextBoolean() ? List.of(bytes) : split(bytes);
        return new Input(n, "send", null, fragments, Verdict.CLOSES, "over 1 MiB");
    }

    private Frame base(String type, String id, int n) {
        Frame f = new Frame();
        f.put("type", quoted(type));
        f.put("id", quoted(id));
        String room = random.nextInt(10) < 8 ? context.room : random.nextBoolean() ? context.privateRoom
                : UUID.nameUUIDFromBytes(("room" + random.nextLong()).getBytes(StandardCharsets.UTF_8)).toString();
        switch (type) {
            case "subscribe" -> {
                f.put("room", quoted(room));
                if (random.nextBoolean()) {
                    f.put("since", Integer.toString(random.nextInt(50)));
                }
            }
            case "unsubscribe", "typing" -> f.put("room", quoted(room));
            case "send" -> {
                f.put("room", quoted(room));
                f.put("text", quoted("fz-" + n + " " + words()));
                if (random.nextBoolean()) {
                    f.put("clientMsgId", quoted("c-" + random.nextInt(1_000)));
                }
                if (random.nextInt(4) == 0) {
                    f.put("replyTo", Long.toString(1 + random.nextInt(100)));
                }
            }
            case "history" -> {
                f.put("room", quoted(room));
                if (random.nextBoolean()) {
                    f.put(random.nextBoolean() ? "before" : "after", Integer.toString(1 + random.nextInt(100)));
                }
                if (random.nextBoolean()) {
                    f.put("limit", Integer.toString(1 + random.nextInt(300)));
                }
            }
            case "edit" -> {
                f.put("room", quoted(room));
                f.put("target", Long.toString(random.nextBoolean() ? context.ownMessage : 1 + random.nextInt(100)));
                f.put("text", quoted("fz-" + n + " edited " + words()));
            }
            case "delete" -> {
                f.put("room", quoted(room));
                f.put("target", Long.toString(1 + random.nextInt(100)));
            }
            case "react" -> {
                f.put("room", quoted(room));
                f.put("target", Long.toString(random.nextBoolean() ? context.ownMessage : 1 + random.nextInt(100)));
                f.put("emoji", quoted(EMOJI.get(random.nextInt(EMOJI.size()))));
                f.put("on", Boolean.toString(random.nextBoolean()));
            }
            case "read" -> {
                f.put("room", quoted(room));
                f.put("seq", Integer.toString(random.nextInt(100)));
            }
            case "auth" -> f.put("token", quoted(context.token));
            default -> {
            }
        }
        f.type = type;
        return f;
    }

    /** One mutation of the frame; BAD when it makes the frame one that must be refused. */
    private Verdict mutate(Frame f, List<String> done) {
        List<String> fields = new ArrayList<>(f.keys());
        String field = fields.get(random.nextInt(fields.size()));
        boolean required = REQUIRED.get(f.type).contains(field) || field.equals("type");
        switch (random.nextInt(12)) {
            case 0 -> {
                if (field.equals("id")) {
                    if (!f.put("id", pick("7", "true", "[]", "{}", "1.5", "[\"f\"]"))) {
                        return Verdict.ANY; // already spoiled
                    }
                    f.readableId = false;
                    done.add("id not a string");
                    return spoiled(f, "id", true);
                }
                f.drop(field);
                done.add("without " + field);
                return required ? Verdict.BAD : Verdict.ANY;
            }
            case 1 -> {
                if (field.equals("id")) {
                    return Verdict.ANY;
                }
                String wrong = STRING_FIELDS.contains(field) || field.equals("type")
                        ? pick("42", "true", "false", "[]", "{}", "[\"" + context.room + "\"]", "{\"a\":1}", "0.5")
                        : pick("\"5\"", "true", "[]", "{}", "\"\"", "[1]", "2.5", "\"abc\"");
                if (field.equals("on")) {
                    wrong = pick("1", "0", "\"true\"", "null", "[]");
                }
                f.put(field, wrong);
                done.add(field + " of the wrong type");
                return spoiled(f, field, isKnown(f.type, field) && (!wrong.equals("null") || required));
            }
            case 2 -> {
                String numeric = NUMBER_FIELDS.contains(field) ? field : pick(NUMBER_FIELDS.toArray(String[]::new));
                boolean known = isKnown(f.type, numeric) && !f.dropped(numeric);
                if (random.nextBoolean()) {
                    f.put(numeric, pick(NOT_INTEGERS));
                    done.add(numeric + " not an integer");
                    return spoiled(f, numeric, known);
                }
                if (random.nextInt(4) == 0) {
                    if (!f.put(numeric, "1" + "0".repeat(1_000 + random.nextInt(20_000)))) {
                        return Verdict.ANY;
                    }
                    done.add(numeric + " with thousands of digits");
                    // over Jackson's number length: the frame is unreadable as a tree, so its id is too,
                    // and stays so (the field is not dropped later)
                    f.readableId = false;
                    f.fix(numeric);
                    return known ? Verdict.BAD : Verdict.ANY;
                }
                f.put(numeric, pick(HUGE_AND_ODD));
                done.add(numeric + " huge or odd");
                return Verdict.ANY;
            }
            case 3 -> {
                f.put(extraName(), anyValue(0));
                done.add("an unknown field");
                return Verdict.ANY;
            }
            case 4 -> {
                int depth = random.nextBoolean() ? 1 + random.nextInt(200) : 1_100 + random.nextInt(5_000);
                boolean array = random.nextBoolean();
                String open = array ? "[" : "{\"a\":";
                String close = array ? "]" : "}";
                String name = extraName();
                if (!f.put(name, open.repeat(depth) + "1" + close.repeat(depth))) {
                    return Verdict.ANY;
                }
                done.add("nested " + depth + " deep");
                if (depth > 1_000) { // past Jackson's nesting limit: not readable at all
                    f.readableId = false;
                    return spoiled(f, name, true);
                }
                return Verdict.ANY;
            }
            case 5, 6 -> {
                String target = stringField(f);
                String surrogate = pick("\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\ud83d", "\\ude00x", "\\ude00\\ud83d");
                if (!f.put(target, "\"" + pick("", "a", "fz ") + surrogate + pick("", "b", " z") + "\"")) {
                    return Verdict.ANY;
                }
                if (target.equals("id")) {
                    f.readableId = false;
                }
                done.add("unpaired surrogate in " + target);
                return spoiled(f, target, true);
            }
            case 7 -> {
                String target = stringField(f);
                if (random.nextBoolean()) {
                    int c = pick(new int[] { 0, 1, 7, 8, 11, 12, 27, 31 });
                    if (!f.put(target, "\"fz" + String.format("\\u%04x", c) + "z\"")) {
                        return Verdict.ANY;
                    }
                    if (target.equals("id")) {
                        f.readableId = false;
                    }
                    done.add("escaped control character in " + target);
                    return spoiled(f, target, true);
                }
                char c = (char) pick(new int[] { 0, 1, 9, 10, 13, 27, 31 });
                if (!f.put(target, "\"fz" + c + "z\"")) {
                    return Verdict.ANY;
                }
                f.readableId = false; // unescaped in a string: not JSON
                done.add("raw control character in " + target);
                return spoiled(f, target, true);
            }
            case 8 -> {
                String name = pick("Ping", "PING", "pong", "", " ping", "send ", "fly", "error", "ok", "message", "ping\\u0000",
                        "\\ud800", "subscribe\\n");
                f.put("type", "\"" + name + "\"");
                done.add("type " + name);
                return spoiled(f, "type", true);
            }
            case 9 -> {
                if (field.equals("id")) {
                    return Verdict.ANY;
                }
                String value = f.get(field);
                f.put(field, value);
                f.duplicate(field, value);
                done.add("repeated " + field);
                return Verdict.ANY;
            }
            case 10 -> {
                if (STRING_FIELDS.contains(field) && !field.equals("token")) {
                    String value = pick("\"\"", "\"   \"", "\"" + "r".repeat(37) + "\"", "\"" + "t".repeat(4_001) + "\"",
                            "\"" + "😀".repeat(4_001) + "\"", "\"\\u200b\"", "\"\\ufeff\"", "\"\\\\\\\"\"");
                    f.put(field, value);
                    done.add(field + " empty, blank or long");
                    return Verdict.ANY;
                }
                f.setWhitespace(pick(" ", "\n", "\t", "\r\n", "  \n "));
                done.add("whitespace around");
                return Verdict.ANY;
            }
            default -> {
                if (field.equals("room") && !f.type.equals("unsubscribe")) { // unsubscribe looks no room up
                    f.put("room", pick("\"\"", "\" \"", "\"" + "a".repeat(37) + "\"", "\"../../etc\"", "\"%2e%2e\"",
                            "\"" + UUID.randomUUID() + "\"", "\"null\""));
                    done.add("room odd");
                    return spoiled(f, "room", true);
                }
                f.put(extraName(), quoted(words()));
                done.add("an unknown string field");
                return Verdict.ANY;
            }
        }
    }

    /** A field made bad stays bad: later mutations leave it alone. */
    private static Verdict spoiled(Frame f, String field, boolean bad) {
        if (bad) {
            f.fix(field);
            return Verdict.BAD;
        }
        return Verdict.ANY;
    }

    private Input structural(int n, String type, Frame f) {
        byte[] whole = f.bytes();
        String description;
        byte[] bytes;
        switch (random.nextInt(9)) {
            case 0 -> {
                bytes = java.util.Arrays.copyOf(whole, 1 + random.nextInt(whole.length - 1));
                description = "cut short";
            }
            case 1 -> {
                bytes = concat(whole, pick(" junk", "x", "}", "]", ",", " null", " 1", "\"s\"").getBytes(StandardCharsets.UTF_8));
                description = "data after the object";
            }
            case 2 -> {
                bytes = concat(whole, whole);
                description = "two objects";
            }
            case 3 -> {
                bytes = pick("null", "[]", "[" + new String(whole, StandardCharsets.UTF_8) + "]", "5", "-1e999", "\"ping\"",
                        "true", "false", "0", "{}", "{\"id\":null}").getBytes(StandardCharsets.UTF_8);
                description = "not a frame object";
            }
            case 4 -> {
                bytes = new byte[random.nextInt(64)];
                random.nextBytes(bytes);
                description = "random bytes";
            }
            case 5 -> {
                bytes = pick("", " ", "\n", "{", "}", "{\"type\":", "{\"type\":\"ping\",}", "{'type':'ping'}",
                        "{type:\"ping\"}", "{\"type\":\"ping\" \"id\":\"x\"}", "/* */{\"type\":\"ping\"}",
                        "{\"type\":\"ping\",\"id\":\"x\"}\u0000").getBytes(StandardCharsets.UTF_8);
                description = "not JSON";
            }
            case 6 -> {
                bytes = concat(pick(",", "]", "\"", "'", "\\").getBytes(StandardCharsets.UTF_8), whole);
                description = "a stray character first";
            }
            case 7 -> {
                String text = new String(whole, StandardCharsets.UTF_8);
                bytes = text.replace("\"", "'").getBytes(StandardCharsets.UTF_8);
                description = "single quotes";
            }
            default -> {
                bytes = ("{\"type\":\"ping\",\"id\":\"f-" + n + "\",\"b\":" + pick("NaN", "Infinity", "-Infinity", "+1", "01", ".5")
                        + "}").getBytes(StandardCharsets.UTF_8);
                description = "NaN";
            }
        }
        return new Input(n, type, null, List.of(bytes), Verdict.BAD, description);
    }

    private Input invalidUtf8(int n, String type, Frame f) {
        byte[] whole = f.bytes();
        byte[][] bad = { { (byte) 0xFF }, { (byte) 0xFE }, { (byte) 0xC0, (byte) 0x80 }, { (byte) 0xC1, (byte) 0xBF },
                { (byte) 0x80 }, { (byte) 0xBF }, { (byte) 0xED, (byte) 0xA0, (byte) 0x80 }, { (byte) 0xED, (byte) 0xBF, (byte) 0xBF },
                { (byte) 0xE0, (byte) 0x80, (byte) 0xAF }, { (byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF },
                { (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80 }, { (byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80 },
                { (byte) 0xE2, (byte) 0x82 }, { (byte) 0xC3 } };
        byte[] insert = bad[random.nextInt(bad.length)];
        // inside a string value (after an opening quote) or anywhere
        int at = random.nextBoolean() ? Math.max(1, lastQuote(whole)) : random.nextInt(whole.length + 1);
        byte[] bytes = concat(java.util.Arrays.copyOf(whole, at), insert, java.util.Arrays.copyOfRange(whole, at, whole.length));
        return new Input(n, type, null, List.of(bytes), Verdict.BAD, "invalid UTF-8 " + java.util.HexFormat.of().formatHex(insert));
    }

    private Input oversize(int n, String type, Frame f) {
        int size = FRAME_LIMIT + 1 + random.nextInt(3 * FRAME_LIMIT);
        f.put("pad", quoted(random.nextBoolean() ? "p".repeat(size) : "é".repeat(size / 2 + 1)));
        return new Input(n, type, "f-" + n, List.of(f.bytes()), Verdict.BAD, "over the frame limit");
    }

    private List<byte[]> split(byte[] bytes) {
        int parts = Math.min(bytes.length, 2 + random.nextInt(4));
        List<byte[]> fragments = new ArrayList<>();
        int from = 0;
        for (int i = 1; i < parts; i++) {
            int to = from + random.nextInt(Math.max(1, bytes.length - from - (parts - i)) + 1);
            fragments.add(java.util.Arrays.copyOfRange(bytes, from, to));
            from = to;
        }
        fragments.add(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
        return fragments;
    }

    private String stringField(Frame f) {
        List<String> present = f.keys().stream().filter(k -> STRING_FIELDS.contains(k) || k.equals("id")).toList();
        return present.isEmpty() ? "id" : present.get(random.nextInt(present.size()));
    }

    private static boolean isKnown(String type, String field) {
        return field.equals("type") || field.equals("id") || REQUIRED.get(type).contains(field) || knownField(type, field)
                || (type.equals("send") && field.equals("clientMsgId"));
    }

    private static boolean knownField(String type, String field) {
        return switch (type) {
            case "subscribe" -> field.equals("since");
            case "send" -> field.equals("replyTo");
            case "history" -> List.of("before", "after", "limit", "replyTo").contains(field);
            case "edit", "delete", "react" -> field.equals("target");
            case "read" -> field.equals("seq");
            default -> false;
        };
    }

    private String anyValue(int depth) {
        return switch (random.nextInt(depth > 2 ? 6 : 8)) {
            case 0 -> "null";
            case 1 -> Long.toString(random.nextLong());
            case 2 -> random.nextBoolean() ? "true" : "false";
            case 3 -> quoted(words());
            case 4 -> pick("1e400", "-0.0", "3.14", "\"\\ud800\"", "\"\\u0000\"", "\"\\uffff\"");
            case 5 -> Double.toString(random.nextDouble());
            case 6 -> "[" + anyValue(depth + 1) + "," + anyValue(depth + 1) + "]";
            default -> "{\"k\":" + anyValue(depth + 1) + "}";
        };
    }

    private String extraName() {
        return pick("extra", "x", "Type", "ID", "__proto__", "constructor", "room ", "text\\u0000", "\\ud800", "");
    }

    private String words() {
        StringBuilder s = new StringBuilder();
        int count = 1 + random.nextInt(5);
        for (int i = 0; i < count; i++) {
            s.append(pick("hello", "wörld", "日本", "😀", "@nobody", "<b>", "'quote'", "a&b", "\\\\", "\\\"", "tab\\t", "new\\nline"))
                    .append(' ');
        }
        return s.toString().trim();
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }

    private int pick(int[] options) {
        return options[random.nextInt(options.length)];
    }

    private static String quoted(String jsonEscapedText) {
        return "\"" + jsonEscapedText + "\"";
    }

    private static int lastQuote(byte[] bytes) {
        for (int i = bytes.length - 2; i > 0; i--) {
            if (bytes[i] == '"') {
                return i + 1 < bytes.length - 1 ? i + 1 : i;
            }
        }
        return 1;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A frame as JSON members written by hand, so that any text can stand where a value goes. */
    private static final class Frame {
        private final List<String[]> members = new ArrayList<>();
        private final java.util.Set<String> fixed = new java.util.HashSet<>();
        String type;
        boolean readableId = true;
        private String whitespace = "";

        /** A dropped or spoiled field stays so: a later mutation does not mend it. */
        boolean put(String key, String jsonValue) {
            if (fixed.contains(key)) {
                return false;
            }
            boolean found = false;
            for (String[] m : members) {
                if (m[0].equals(key)) { // every occurrence: a repeated field has one value
                    m[1] = jsonValue;
                    found = true;
                }
            }
            if (!found) {
                members.add(new String[] { key, jsonValue });
            }
            return true;
        }

        void duplicate(String key, String jsonValue) {
            members.add(new String[] { key, jsonValue });
        }

        String get(String key) {
            return members.stream().filter(m -> m[0].equals(key)).map(m -> m[1]).findFirst().orElse("null");
        }

        void drop(String key) {
            if (!fixed.contains(key)) {
                members.removeIf(m -> m[0].equals(key));
                fixed.add(key);
            }
        }

        void fix(String key) {
            fixed.add(key);
        }

        boolean dropped(String key) {
            return fixed.contains(key) && members.stream().noneMatch(m -> m[0].equals(key));
        }

        List<String> keys() {
            return members.stream().map(m -> m[0]).distinct().toList();
        }

        void setWhitespace(String ws) {
            whitespace = ws;
        }

        byte[] bytes() {
            StringBuilder s = new StringBuilder(whitespace).append('{');
            for (int i = 0; i < members.size(); i++) {
                if (i > 0) {
                    s.append(',');
                }
                s.append('"').append(members.get(i)[0]).append("\":").append(members.get(i)[1]);
            }
            return s.append('}').append(whitespace).toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}

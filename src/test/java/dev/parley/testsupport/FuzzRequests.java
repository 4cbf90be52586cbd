package dev.parley.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Generates raw HTTP/1.1 requests against {@code /api} for {@code RestFuzzTest}, from a seed: the
 * endpoints of docs/protocol.md section 8 with mutated paths (dot segments, percent-encodings
 * valid and not, encoded slashes, control characters, huge numbers), query parameters, methods,
 * content types and bodies (wrong JSON types, deep nesting, invalid UTF-8, unpaired surrogates,
 * trailing data, multipart that is not).
 */
public final class FuzzRequests {

    /** What the requests name: an existing room, a token, a username. */
    public record Context(String room, String token, String username) {
    }

    public record Request(int index, byte[] bytes, String description) {
        @Override
        public String toString() {
            String text = new String(bytes, StandardCharsets.UTF_8);
            return "#" + index + " " + description + ": " + (text.length() > 400 ? text.substring(0, 400) + "…" : text);
        }
    }

    private static final List<String> PATHS = List.of("/api/auth/register", "/api/auth/login", "/api/auth/refresh",
            "/api/auth/logout", "/api/auth/options", "/api/me", "/api/rooms", "/api/rooms/{room}", "/api/rooms/{room}/members",
            "/api/rooms/{room}/members/{user}", "/api/rooms/{room}/bans", "/api/rooms/{room}/mutes",
            "/api/rooms/{room}/bans/{user}", "/api/rooms/{room}/mutes/{user}", "/api/rooms/{room}/messages",
            "/api/rooms/{room}/read", "/api/rooms/{room}/attachments", "/api/attachments/{room}", "/api/search",
            "/api/bots", "/api/bots/{room}", "/api/dms");
    private static final String[] METHODS = { "GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS", "TRACE", "get", "FOO" };
    private static final String[] SEGMENTS = { "..", ".", "%2e%2e", "%2E", "%2f", "%2F..%2F", "%5c", "%00", "%0a", "%ff",
            "%ED%A0%80", "%C0%AE", "%zz", "%", "%%", "9223372036854775808", "-1", "0", "1e400", "%F0%9F%98%80", "a%20b", "~",
            "x".repeat(300), "%u002e", ";jsessionid=1", "?", "#" };
    private static final String[] QUERY_NAMES = { "limit", "before", "after", "replyTo", "q", "room", "x" };
    private static final String[] QUERY_VALUES = { "1", "0", "-1", "abc", "1.5", "1e400", "99999999999999999999999999",
            "9223372036854775807", "-9223372036854775808", "%00", "%ff", "%ED%A0%80", "", "%", "a%0ab", "%22%3C", "x".repeat(250) };
    private static final String[] CONTENT_TYPES = { "application/json", "application/json; charset=utf-8", "text/plain", "*/*",
            "application/*", "", "application/xml", "multipart/form-data", "multipart/form-data; boundary=xyz",
            "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/problem+json", "json" };

    private final Random random;
    private final Context context;
    private int index;

    public FuzzRequests(long seed, Context context) {
        this.random = new Random(seed);
        this.context = context;
    }

    public Request next(String host) {
        int n = index++;
        StringBuilder what = new StringBuilder();
        String method = random.nextInt(3) > 0 ? (random.nextBoolean() ? "GET" : "POST") : pick(METHODS);
        String path = PATHS.get(random.nextInt(PATHS.size()))
                .replace("{room}", random.nextInt(3) > 0 ? context.room : UUID.randomUUID().toString())
                .replace("{user}", random.nextBoolean() ? context.username : "nobody");
        if (random.nextInt(3) == 0) {
            String[] parts = path.split("/", -1);
            int at = 1 + random.nextInt(parts.length - 1);
            String segment = pick(SEGMENTS);
            parts[at] = random.nextBoolean() ? segment : parts[at] + segment;
            path = String.join("/", parts);
            what.append("path segment ").append(segment).append("; ");
        }
        if (random.nextInt(6) == 0) {
            path = path + pick("/", "//", "/.", "/..", "/%2e", "/./x", "//x");
            what.append("path tail; ");
        }
        if (random.nextInt(3) == 0) {
            StringBuilder q = new StringBuilder();
            for (int i = 0, count = 1 + random.nextInt(3); i < count; i++) {
                q.append(i == 0 ? '?' : '&').append(pick(QUERY_NAMES)).append('=').append(pick(QUERY_VALUES));
            }
            path += q;
            what.append("query; ");
        }
        byte[] body = new byte[0];
        String contentType = null;
        if (!method.equals("GET") && !method.equals("HEAD") || random.nextInt(10) == 0) {
            body = body(what);
            contentType = random.nextInt(4) > 0 ? "application/json" : pick(CONTENT_TYPES);
            if (contentType.startsWith("multipart") && random.nextBoolean()) {
                body = ("--xyz\r\nContent-Disposition: form-data; name=\"" + pick("file", "text", "clientMsgId", "f\u0001")
                        + "\"; filename=\"" + pick("a.png", "..\\..\\x", "a\u0000b", "") + "\"\r\n\r\n" + pick("", "hello", "\u0007")
                        + "\r\n--xyz" + pick("--\r\n", "\r\n", "")).getBytes(StandardCharsets.UTF_8);
            }
            what.append("content type ").append(contentType).append("; ");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String rawPath = random.nextInt(25) == 0 ? path.replace("%00", "\u0000").replace("%0a", "\u0001") : path;
        out.writeBytes((method + " " + rawPath + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n")
                .getBytes(StandardCharsets.UTF_8));
        int auth = random.nextInt(10);
        if (auth < 7) {
            out.writeBytes(("Authorization: Bearer " + context.token + "\r\n").getBytes(StandardCharsets.US_ASCII));
        } else if (auth == 7) {
            out.writeBytes(("Authorization: " + pick("Bearer", "Bearer ", "Basic eDp5", "Bearer a.b.c", "bearer " + context.token)
                    + "\r\n").getBytes(StandardCharsets.US_ASCII));
            what.append("odd authorization; ");
        }
        if (contentType != null && !contentType.isEmpty()) {
            out.writeBytes(("Content-Type: " + contentType + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        if (random.nextInt(8) == 0) {
            out.writeBytes(pick("Accept: text/html\r\n", "Accept: application/xml\r\n", "Accept: */*\r\n",
                    "Accept-Charset: latin1\r\n", "X-Forwarded-For: ::1\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return new Request(n, out.toByteArray(), method + " " + path + " (" + what + ")");
    }

    private byte[] body(StringBuilder what) {
        switch (random.nextInt(10)) {
            case 0 -> {
                what.append("body nested; ");
                int depth = random.nextBoolean() ? 1 + random.nextInt(100) : 1_100 + random.nextInt(5_000);
                return ("{\"text\":\"x\",\"name\":" + "[".repeat(depth) + "]".repeat(depth) + "}").getBytes(StandardCharsets.UTF_8);
            }
            case 1 -> {
                what.append("body invalid UTF-8; ");
                byte[] head = "{\"text\":\"a".getBytes(StandardCharsets.UTF_8);
                byte[] bad = { (byte) 0xFF, (byte) 0xC0, (byte) 0xAF, (byte) 0xED, (byte) 0xA0, (byte) 0x80 };
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.writeBytes(head);
                b.write(bad, random.nextInt(3), 1 + random.nextInt(3));
                b.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
                return b.toByteArray();
            }
            case 2 -> {
                what.append("body unpaired surrogate; ");
                return ("{\"" + pick("text", "name", "username", "password", "topic", "displayName", "reason", "refreshToken")
                        + "\":\"" + pick("\\ud800", "a\\udfffb", "\\ude00\\ud83d") + "\"}").getBytes(StandardCharsets.UTF_8);
            }
            case 3 -> {
                what.append("body trailing data; ");
                return ("{\"text\":\"hi\",\"name\":\"n\",\"visibility\":\"public\"}" + pick(" junk", "{}", "]", " null"))
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 4 -> {
                what.append("body not an object; ");
                return pick("null", "[]", "5", "\"s\"", "true", "", " ", "{", "[{}]").getBytes(StandardCharsets.UTF_8);
            }
            case 5 -> {
                what.append("body huge numbers; ");
                return ("{\"seq\":" + pick("1e400", "-1", "99999999999999999999999999", "2.5", "1" + "0".repeat(5_000))
                        + ",\"minutes\":" + pick("0", "527041", "-1", "1e3", "9223372036854775808") + ",\"username\":\""
                        + context.username + "\",\"limit\":" + pick("0", "-5", "1e400") + "}").getBytes(StandardCharsets.UTF_8);
            }
            case 6 -> {
                what.append("body control characters; ");
                return ("{\"text\":\"" + pick("\\u0000", "\\u0007", "\u0001", "\t", "\\u001b[31m") + "\",\"name\":\"a\\u0000\","
                        + "\"username\":\"u\\u0001\",\"password\":\"p\\u0000assword\"}").getBytes(StandardCharsets.UTF_8);
            }
            case 7 -> {
                what.append("body wrong types; ");
                String v = pick("1", "true", "[]", "{}", "null", "[\"a\"]", "1.5");
                return ("{\"text\":" + v + ",\"name\":" + v + ",\"visibility\":" + v + ",\"username\":" + v + ",\"password\":" + v
                        + ",\"role\":" + v + ",\"seq\":" + v + ",\"minutes\":" + v + ",\"refreshToken\":" + v + ",\"webhookUrl\":" + v
                        + ",\"clientMsgId\":" + v + ",\"replyTo\":" + v + "}").getBytes(StandardCharsets.UTF_8);
            }
            case 8 -> {
                what.append("body valid-looking; ");
                return ("{\"text\":\"fuzz\",\"name\":\"fuzz " + random.nextInt(1_000_000) + "\",\"visibility\":\""
                        + pick("public", "private", "direct", "PUBLIC") + "\",\"username\":\"" + pick(context.username, "nobody", "")
                        + "\",\"password\":\"" + pick("correct-horse-battery", "x") + "\",\"role\":\"" + pick("admin", "owner", "member", "god")
                        + "\",\"seq\":" + random.nextInt(10) + ",\"minutes\":" + random.nextInt(10) + ",\"webhookUrl\":\""
                        + pick("http://127.0.0.1:1/x", "javascript:alert(1)", "http://user:pw@example.com", "ftp://x") + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                what.append("body random bytes; ");
                byte[] b = new byte[random.nextInt(200)];
                random.nextBytes(b);
                return b;
            }
        }
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }
}

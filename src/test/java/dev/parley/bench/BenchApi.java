package dev.parley.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The REST calls a benchmark needs to set itself up: accounts, rooms and bots. */
final class BenchApi {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern TOKEN = Pattern.compile("\"accessToken\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern USERNAME = Pattern.compile("\"username\"\\s*:\\s*\"([^\"]+)\"");

    private final String baseUrl;

    BenchApi(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** Registers a fresh account and returns its token. */
    String newUserToken(String prefix) {
        String username = (prefix + "-" + UUID.randomUUID().toString().substring(0, 12)).toLowerCase();
        String credentials = "{\"username\":\"" + username + "\",\"password\":\"bench-password-1\"}";
        post("/api/auth/register", credentials, null, 201);
        return extract(TOKEN, post("/api/auth/login", credentials, null, 200));
    }

    String newRoom(String token) {
        String body = "{\"name\":\"bench-" + UUID.randomUUID() + "\",\"visibility\":\"public\"}";
        return extract(ID, post("/api/rooms", body, token, 201));
    }

    /** Makes a bot of the token's user with this webhook URL and adds it to each room; returns its username. */
    String newWebhookBot(String token, String webhookUrl, List<String> rooms) {
        String made = post("/api/bots", "{\"name\":\"bench hook\",\"webhookUrl\":\"" + webhookUrl + "\"}", token, 201);
        String username = extract(USERNAME, made);
        for (String room : rooms) {
            post("/api/rooms/" + room + "/members", "{\"username\":\"" + username + "\"}", token, 201);
        }
        return username;
    }

    String get(String path) {
        return get(path, null).body();
    }

    /** A GET with the token (when not null); the response whatever its status. */
    HttpResponse<String> get(String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException("GET " + path + " failed", e);
        }
    }

    private String post(String path, String json, String token, int expected) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new IllegalStateException("POST " + path + " failed", e);
        }
    }

    private static String extract(Pattern pattern, String body) {
        Matcher m = pattern.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("unexpected answer: " + body);
        }
        return m.group(1);
    }
}

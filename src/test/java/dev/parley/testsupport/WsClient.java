package dev.parley.testsupport;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real WebSocket client for tests (the JDK's): connects with a bearer header or with the browser
 * subprotocols, records every frame it receives and how the server closed the socket.
 */
public final class WsClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final WebSocket socket;
    private final Listener listener;

    private WsClient(WebSocket socket, Listener listener) {
        this.socket = socket;
        this.listener = listener;
    }

    public static WsClient connectWithHeader(URI uri, String token) {
        return connect(uri, token == null ? List.of() : List.of("Authorization", "Bearer " + token), List.of());
    }

    /** What a browser does: the token travels in the second offered subprotocol. */
    public static WsClient connectAsBrowser(URI uri, String token, String origin) {
        String carrier = URLEncoder.encode("quarkus-http-upgrade#Authorization#Bearer " + token, StandardCharsets.UTF_8)
                .replace("+", "%20");
        return connect(uri, origin == null ? List.of() : List.of("Origin", origin),
                List.of("bearer-token-carrier", carrier));
    }

    /** Connects with raw headers; fails with {@link UpgradeRefused} when the server answers the upgrade with an error. */
    public static WsClient connect(URI uri, List<String> headers, List<String> subprotocols) {
        Listener listener = new Listener();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.size(); i += 2) {
            builder.header(headers.get(i), headers.get(i + 1));
        }
        if (!subprotocols.isEmpty()) {
            builder.subprotocols(subprotocols.get(0), subprotocols.subList(1, subprotocols.size()).toArray(String[]::new));
        }
        try {
            WebSocket ws = builder.buildAsync(asWebSocketUri(uri), listener).get(15, TimeUnit.SECONDS);
            return new WsClient(ws, listener);
        } catch (Exception e) {
            Throwable cause = e instanceof CompletionException || e instanceof ExecutionException
                    ? e.getCause() : e;
            if (cause instanceof WebSocketHandshakeException h) {
                throw new UpgradeRefused(h.getResponse().statusCode());
            }
            throw new IllegalStateException("WebSocket connect failed", e);
        }
    }

    // @TestHTTPResource hands out http URIs; the JDK client wants ws ones.
    private static URI asWebSocketUri(URI uri) {
        String scheme = uri.getScheme();
        if ("http".equals(scheme) || "https".equals(scheme)) {
            return URI.create(uri.toString().replaceFirst("^http", "ws"));
        }
        return uri;
    }

    public String subprotocol() {
        return socket.getSubprotocol();
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public void send(JsonNode frame) {
        send(frame.toString());
    }

    /** Sends a request and waits for its answer: the frame of any type carrying the same id. */
    public JsonNode request(String json, String id) {
        send(json);
        return awaitFrame(f -> id.equals(f.path("id").asText(null)));
    }

    /** Subscribes to {@code room} (from {@code since} when given) and returns the {@code ok}; fails on anything else. */
    public JsonNode subscribe(String room, Long since) {
        String id = "sub-" + room + "-" + System.nanoTime();
        JsonNode answer = request(since == null ? Frames.frame("subscribe", id, "room", room)
                : Frames.frame("subscribe", id, "room", room, "since", since), id);
        if (!"ok".equals(answer.path("type").asText())) {
            throw new AssertionError("subscribe to " + room + " answered " + answer);
        }
        return answer;
    }

    public JsonNode awaitFrame(Predicate<JsonNode> match) {
        // frames usually are there already: look at once, then often
        return await().atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(() -> listener.find(match), f -> f != null);
    }

    /**
     * The answer to the request {@code id}, once it arrives; completed exceptionally if the
     * connection closes first. Call before sending the request.
     */
    public CompletableFuture<JsonNode> answerTo(String id) {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        listener.awaited.put(id, answer);
        if (listener.closeCode != null) {
            answer.completeExceptionally(new IllegalStateException("connection closed"));
        }
        return answer;
    }

    public List<JsonNode> frames() {
        return List.copyOf(listener.frames);
    }

    /** The frames of a type for a room, in arrival order. */
    public List<JsonNode> events(String type, String room) {
        return listener.frames.stream()
                .filter(f -> type.equals(f.path("type").asText()) && room.equals(f.path("room").asText()))
                .toList();
    }

    /** Waits until {@code count} frames of the type have arrived for the room. */
    public List<JsonNode> awaitEvents(String type, String room, int count) {
        await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(() -> events(type, room).size() >= count);
        return events(type, room);
    }

    /** Stops taking frames from the socket, like a client that no longer reads. */
    public void stopReading() {
        listener.paused = true;
    }

    public int awaitClose() {
        return await().atMost(Duration.ofSeconds(30)).until(() -> listener.closeCode, c -> c != null);
    }

    public Integer closeCode() {
        return listener.closeCode;
    }

    public boolean isOpen() {
        return listener.closeCode == null && !socket.isInputClosed();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }

    /** The server refused the upgrade with this HTTP status. */
    public static final class UpgradeRefused extends RuntimeException {
        private final int status;

        UpgradeRefused(int status) {
            super("upgrade refused with HTTP " + status);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private static final class Listener implements WebSocket.Listener {
        final List<JsonNode> frames = new CopyOnWriteArrayList<>();
        final Map<String, CompletableFuture<JsonNode>> awaited = new ConcurrentHashMap<>();
        private final StringBuilder partial = new StringBuilder();
        volatile Integer closeCode;
        volatile boolean paused;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode frame = JSON.readTree(partial.toString());
                    frames.add(frame);
                    CompletableFuture<JsonNode> answer = frame.hasNonNull("id") ? awaited.remove(frame.path("id").asText()) : null;
                    if (answer != null) {
                        answer.complete(frame);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("server sent a non-JSON frame: " + partial, e);
                } finally {
                    partial.setLength(0);
                }
            }
            if (!paused) {
                ws.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closeCode = statusCode;
            failAwaited();
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            if (closeCode == null) {
                closeCode = 1006;
            }
            failAwaited();
        }

        private void failAwaited() {
            awaited.values().forEach(a -> a.completeExceptionally(new IllegalStateException("connection closed")));
            awaited.clear();
        }

        JsonNode find(Predicate<JsonNode> match) {
            for (JsonNode f : new ArrayList<>(frames)) {
                if (match.test(f)) {
                    return f;
                }
            }
            return null;
        }
    }
}

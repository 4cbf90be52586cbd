package dev.parley.bench;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * One load-client WebSocket. Answers are matched to requests by id; {@code message} events go to a
 * handler. Frames are picked apart with string search, not a JSON parser, so that the client, which
 * shares the machine with the server, spends as little CPU per frame as it can.
 */
final class BenchConnection {

    private final WebSocket socket;
    private final Map<String, Consumer<String>> pending = new ConcurrentHashMap<>();
    private volatile Consumer<String> onMessage = m -> {
    };

    private BenchConnection(WebSocket socket) {
        this.socket = socket;
        socket.textMessageHandler(this::onFrame);
    }

    static Future<BenchConnection> open(WebSocketClient client, URI ws, String token) {
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(ws.getHost()).setPort(ws.getPort()).setURI(ws.getPath())
                .addHeader("Authorization", "Bearer " + token)
                .setAllowOriginHeader(false); // not a browser: no Origin, like any other non-browser client
        return client.connect(options).map(BenchConnection::new);
    }

    void onMessage(Consumer<String> handler) {
        this.onMessage = handler;
    }

    /** Sends a request; {@code answer} gets the raw ok or error frame. */
    void request(String id, String frame, Consumer<String> answer) {
        pending.put(id, answer);
        socket.writeTextMessage(frame);
    }

    Future<Void> close() {
        return socket.close();
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    private void onFrame(String frame) {
        if (frame.startsWith("{\"type\":\"message\"")) {
            onMessage.accept(frame);
            return;
        }
        String id = field(frame, "\"id\":\"");
        if (id != null) {
            Consumer<String> answer = pending.remove(id);
            if (answer != null) {
                answer.accept(frame);
            }
        }
    }

    static boolean isOk(String frame) {
        return frame.startsWith("{\"type\":\"ok\"");
    }

    /** The string value after {@code prefix} (which ends with the opening quote). */
    static String field(String frame, String prefix) {
        int start = frame.indexOf(prefix);
        if (start < 0) {
            return null;
        }
        start += prefix.length();
        int end = frame.indexOf('"', start);
        return end < 0 ? null : frame.substring(start, end);
    }

    /** The integer value after {@code prefix}. */
    static long number(String frame, String prefix) {
        int i = frame.indexOf(prefix);
        if (i < 0) {
            return -1;
        }
        i += prefix.length();
        long value = 0;
        while (i < frame.length() && Character.isDigit(frame.charAt(i))) {
            value = value * 10 + (frame.charAt(i++) - '0');
        }
        return value;
    }
}

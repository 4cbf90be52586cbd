package dev.parley.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.function.ToIntFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

/** A real HTTP server on 127.0.0.1 that records every webhook POST and answers with a status of the test's choosing. */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as received: when, its signature and delivery headers, its raw body. */
    public record Received(long atNanos, String signature, String delivery, String contentType, byte[] body) {
        public JsonNode json() {
            return Frames.parse(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private volatile ToIntFunction<Received> answer = r -> 204;

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    public static WebhookReceiver start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        WebhookReceiver receiver = new WebhookReceiver(server);
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Received r = new Received(System.nanoTime(), exchange.getRequestHeaders().getFirst("X-Parley-Signature"),
                    exchange.getRequestHeaders().getFirst("X-Parley-Delivery"),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body);
            receiver.received.add(r);
            exchange.sendResponseHeaders(receiver.answer.applyAsInt(r), -1);
            exchange.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        return receiver;
    }

    /** The URL deliveries go to (any path is received). */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** How to answer from now on, per request. */
    public void answer(ToIntFunction<Received> status) {
        this.answer = status;
    }

    /** Everything received so far, in arrival order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package dev.parley.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Fires {@code ping} frames on several sockets at once and sorts the answers: {@code pong}s and
 * {@code rate_limited} errors. Pings cost the server nothing but the request budget.
 */
public final class PingBurst {

    public record Result(int pongs, int limited, int other) {
        public int total() {
            return pongs + limited + other;
        }
    }

    private PingBurst() {
    }

    public static Result fire(List<WsClient> sockets, int perSocket) {
        List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
        for (int i = 0; i < perSocket; i++) {
            for (int s = 0; s < sockets.size(); s++) {
                String id = "p" + s + "-" + i + "-" + System.nanoTime();
                CompletableFuture<JsonNode> answer = sockets.get(s).answerTo(id);
                sockets.get(s).send(Frames.frame("ping", id));
                answers.add(answer);
            }
        }
        int pongs = 0;
        int limited = 0;
        int other = 0;
        for (CompletableFuture<JsonNode> f : answers) {
            JsonNode answer = f.orTimeout(20, TimeUnit.SECONDS).join();
            if ("pong".equals(answer.path("type").asText())) {
                pongs++;
            } else if ("rate_limited".equals(answer.path("code").asText()) && answer.path("retryAfterMs").asLong() > 0) {
                limited++;
            } else {
                other++;
            }
        }
        return new Result(pongs, limited, other);
    }
}

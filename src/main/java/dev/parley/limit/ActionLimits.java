package dev.parley.limit;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.parley.config.ParleyConfig;
import dev.parley.problem.ParleyException;

/**
 * The hourly limits per user on actions that create something (rooms, invitations, direct rooms,
 * attachments): a fixed window of an hour opened by the user's first counted action. An action is
 * counted before it runs, so that concurrent ones cannot pass the limit together, and given back when
 * it created nothing (it failed, or found what it would have made); a refused one answers 429 with
 * the time until the window closes and runs nothing. A limit of 0 turns its check off.
 */
@ApplicationScoped
public class ActionLimits {

    static final Duration WINDOW = Duration.ofHours(1);

    /** The counted actions, each with its key and its limit. */
    public enum Action {
        ROOM_CREATION("room-creations", "rooms created"),
        INVITATION("invitations", "invitations sent"),
        DIRECT_ROOM("direct-rooms", "direct rooms opened"),
        ATTACHMENT("attachments", "attachments uploaded");

        private final String key;
        private final String what;

        Action(String key, String what) {
            this.key = key;
            this.what = what;
        }
    }

    private final Counters counters;
    private final ParleyConfig.Limits config;
    private final LimitMetrics metrics;

    public ActionLimits(Counters counters, ParleyConfig config, LimitMetrics metrics) {
        this.metrics = metrics;
        this.counters = counters;
        this.config = config.limits();
    }

    /**
     * Runs {@code action} if the user has not reached the action's limit, counting it unless
     * {@code created} says it made nothing new.
     */
    public <T> Uni<T> counted(Action action, String userId, Supplier<Uni<T>> run, Predicate<T> created) {
        int limit = limit(action);
        if (limit <= 0) {
            return Uni.createFrom().deferred(run::get);
        }
        String key = "limit:" + action.key + ":" + userId;
        return counters.take(key, limit, WINDOW).chain(wait -> {
            if (!wait.isZero()) {
                metrics.rateLimited(action.key);
                return Uni.createFrom().failure(ParleyException.rateLimited(
                        "at most " + limit + " " + action.what + " per hour", wait));
            }
            return Uni.createFrom().deferred(run::get)
                    .onFailure().call(() -> counters.giveBack(key))
                    .call(result -> created.test(result) ? Uni.createFrom().voidItem() : counters.giveBack(key));
        });
    }

    private int limit(Action action) {
        return switch (action) {
            case ROOM_CREATION -> config.roomCreations();
            case INVITATION -> config.invitations();
            case DIRECT_ROOM -> config.directRooms();
            case ATTACHMENT -> config.attachments();
        };
    }
}

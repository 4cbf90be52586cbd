package dev.parley.limit;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.parley.config.ParleyConfig;
import dev.parley.problem.ErrorCode;
import dev.parley.problem.ParleyException;

/**
 * The request budget of each user ({@code parley.limits.user-rate} per second, bursts of
 * {@code user-burst}), shared by all their connections and REST calls on every instance.
 *
 * <p>The bucket lives in {@link Counters} (Redis across instances). To keep Redis off the path of
 * most requests, each instance leases tokens for a user in blocks of {@link #block} and spends them
 * locally; a lease not spent within {@link #HOLD} is dropped. Every token spent came out of the
 * shared bucket, so a user never gets more than burst + rate × time in total, whatever the number of
 * connections and instances; a user who moves between instances may get slightly fewer. With the
 * defaults (50/s, burst 100) a block is 10 tokens: at most one Redis call per ten requests of a user,
 * and none for a request that finds a token here. Concurrent requests of one user that find the
 * local tokens gone wait for one lease together rather than each asking Redis.
 */
@ApplicationScoped
public class UserBudget {

    static final long HOLD = 1_000_000_000L;
    private static final int SWEEP_ABOVE = 10_000;

    private final Counters counters;
    private final int rate;
    private final int burst;
    private final int block;
    private final ConcurrentHashMap<String, Local> locals = new ConcurrentHashMap<>();

    /** This instance's leased tokens of one user. */
    private static final class Local {
        int tokens;
        long expires;
        Uni<Void> pending;
    }

    private final LimitMetrics metrics;

    public UserBudget(Counters counters, ParleyConfig config, LimitMetrics metrics) {
        this.metrics = metrics;
        this.counters = counters;
        this.rate = config.limits().userRate();
        this.burst = Math.max(1, config.limits().userBurst());
        this.block = Math.max(1, Math.min(burst / 10, rate / 5));
    }

    /** Spends one request of the user's budget, or fails with {@code rate_limited} and the wait for the next. */
    public Uni<Void> charge(String userId) {
        if (rate <= 0) {
            return Uni.createFrom().voidItem();
        }
        Local local = locals.computeIfAbsent(userId, k -> new Local());
        Uni<Void> waitFor;
        synchronized (local) {
            long now = System.nanoTime();
            if (local.tokens > 0 && now - local.expires < 0) {
                local.tokens--;
                return Uni.createFrom().voidItem();
            }
            waitFor = local.pending;
            if (waitFor == null) {
                // started here, once, whoever waits for it: a lease must clear pending even if no
                // request is left to wait for it
                waitFor = lease(userId, local).memoize().indefinitely();
                local.pending = waitFor;
                waitFor.subscribe().with(v -> {
                }, e -> {
                });
            }
        }
        // the shared lease answers on the context of the request that started it: each waiter goes on
        // on its own, and each one it refuses is counted (many requests may wait on one lease)
        return CallerContext.resumeOnCaller(waitFor
                .onFailure(UserBudget::refused).invoke(e -> metrics.rateLimited(LimitMetrics.USER_REQUESTS))
                .chain(() -> spendLeased(userId, local)));
    }

    private static boolean refused(Throwable failure) {
        return failure instanceof ParleyException p && p.code() == ErrorCode.RATE_LIMITED;
    }

    private Uni<Void> spendLeased(String userId, Local local) {
        synchronized (local) {
            if (local.tokens > 0 && System.nanoTime() - local.expires < 0) {
                local.tokens--;
                return Uni.createFrom().voidItem();
            }
        }
        // another waiter took the last leased token: ask again
        return charge(userId);
    }

    // Completes once the lease is in local (or refused with the wait); clears pending either way.
    private Uni<Void> lease(String userId, Local local) {
        return counters.lease("limit:requests:" + userId, block, rate, burst)
                .onItemOrFailure().transformToUni((grant, failure) -> {
                    synchronized (local) {
                        local.pending = null;
                        if (failure != null) {
                            return Uni.createFrom().failure(failure);
                        }
                        if (grant.granted() == 0) {
                            return Uni.createFrom().failure(ParleyException.rateLimited(
                                    "too many requests for this user; slow down", grant.retryAfter()));
                        }
                        local.tokens = grant.granted();
                        local.expires = System.nanoTime() + HOLD;
                    }
                    sweep();
                    return Uni.createFrom().voidItem();
                });
    }

    private void sweep() {
        if (locals.size() > SWEEP_ABOVE) {
            long now = System.nanoTime();
            locals.values().removeIf(l -> {
                synchronized (l) {
                    return l.pending == null && now - l.expires >= 0;
                }
            });
        }
    }

    int block() {
        return block;
    }

    Duration hold() {
        return Duration.ofNanos(HOLD);
    }
}

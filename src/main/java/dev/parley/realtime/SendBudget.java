package dev.parley.realtime;

import java.time.Duration;

/**
 * A token bucket: {@code rate} sends per second on average, bursts of up to {@code burst}.
 * A rate of 0 means no limit.
 */
public final class SendBudget {

    private final double rate;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    public SendBudget(int rate, int burst) {
        this.rate = rate;
        this.burst = Math.max(1, burst);
        this.tokens = this.burst;
    }

    /** How long until a send would pass, if none is taken meanwhile. */
    public synchronized Duration untilNext() {
        if (rate <= 0 || tokens >= 1) {
            return Duration.ZERO;
        }
        return Duration.ofNanos((long) Math.ceil((1 - tokens) * 1_000_000_000d / rate));
    }

    public synchronized boolean tryTake() {
        if (rate <= 0) {
            return true;
        }
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * rate / 1_000_000_000d);
        last = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}

package dev.parley.fanout;

import jakarta.inject.Singleton;

/**
 * Whether this instance's Redis pub/sub subscriber is subscribed, as the broker last saw it. The
 * broker writes it and {@link RedisHealthCheck} reads it: kept apart from both, so that neither
 * depends on the other.
 */
@Singleton
public class SubscriberState {

    private volatile String problem = "not connected yet";

    /** Why the subscriber is not subscribed; null while every room channel is, as Redis confirmed. */
    public String problem() {
        return problem;
    }

    void markSubscribed() {
        problem = null;
    }

    void markConnecting(String why) {
        problem = why;
    }
}

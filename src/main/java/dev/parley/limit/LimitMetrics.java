package dev.parley.limit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Refusals by Parley's own limits, tagged with the limit's name from the closed set {@link #LIMITS},
 * never with whom it refused.
 */
@Singleton
public class LimitMetrics {

    public static final String USER_REQUESTS = "user-requests";
    public static final String CONNECTIONS = "connections";
    public static final String SENDS = "sends";
    public static final String REGISTRATIONS = "registrations";
    /** The bots one user may own (a quota, not a rate: deleting a bot frees a slot). */
    public static final String BOTS = "bots";

    static final List<String> LIMITS = List.of(USER_REQUESTS, CONNECTIONS, SENDS, REGISTRATIONS,
            "room-creations", "invitations", "direct-rooms", "attachments", BOTS);

    private final Map<String, Counter> rateLimited = new HashMap<>();
    private final Counter loginThrottled;

    public LimitMetrics(MeterRegistry registry) {
        for (String limit : LIMITS) {
            rateLimited.put(limit, Counter.builder("parley.requests.rate.limited")
                    .description("Requests refused with rate_limited, by limit").tag("limit", limit).register(registry));
        }
        this.loginThrottled = Counter.builder("parley.login.throttled")
                .description("Login attempts refused after too many failed logins for the username or address")
                .register(registry);
    }

    /** A request refused by {@code limit}, one of {@link #LIMITS}. */
    public void rateLimited(String limit) {
        Counter counter = rateLimited.get(limit);
        if (counter == null) {
            throw new IllegalArgumentException("not a limit: " + limit);
        }
        counter.increment();
    }

    public void loginThrottled() {
        loginThrottled.increment();
    }
}

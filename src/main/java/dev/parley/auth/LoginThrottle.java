package dev.parley.auth;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.parley.config.ParleyConfig;
import dev.parley.limit.Counters;
import dev.parley.limit.LimitMetrics;
import dev.parley.problem.ParleyException;

/**
 * Makes online password guessing and registration floods expensive: after too many failed logins
 * for a username or from an address within the window, logins for it answer 429 with
 * {@code Retry-After} without looking at the password; an address that registers too often is
 * refused the same way. Counted in Redis across instances when Redis is enabled. A limit of 0
 * turns its check off.
 */
@ApplicationScoped
public class LoginThrottle {

    private final Counters counters;
    private final ParleyConfig.LoginFailures failures;
    private final int registrations;

    private final LimitMetrics metrics;

    public LoginThrottle(ParleyConfig config, Counters counters, LimitMetrics metrics) {
        this.metrics = metrics;
        this.counters = counters;
        this.failures = config.limits().loginFailures();
        this.registrations = config.limits().registrations();
    }

    /** Refuses a login attempt for a username or from an address that failed too often. */
    public Uni<Void> admitLogin(String username, String address) {
        return counters.read(List.of(userKey(username), addressKey(address))).invoke(w -> {
            Duration wait = Duration.ZERO;
            if (failures.username() > 0 && w.get(0).count() >= failures.username()) {
                wait = w.get(0).left();
            }
            if (failures.address() > 0 && w.get(1).count() >= failures.address()
                    && w.get(1).left().compareTo(wait) > 0) {
                wait = w.get(1).left();
            }
            if (!wait.isZero()) {
                metrics.loginThrottled();
                throw ParleyException.rateLimited("too many failed logins; try again later", wait);
            }
        }).replaceWithVoid();
    }

    public Uni<Void> loginFailed(String username, String address) {
        return counters.add(List.of(userKey(username), addressKey(address)), failures.window());
    }

    public Uni<Void> loginSucceeded(String username) {
        return counters.reset(userKey(username));
    }

    /**
     * Refuses a registration from an address that registered too often, without counting it: asked
     * before anything else about the request is looked at, so that a throttled client learns nothing
     * (not even whether a name is taken).
     */
    public Uni<Void> admitRegistration(String address) {
        if (registrations <= 0) {
            return Uni.createFrom().voidItem();
        }
        return counters.read(List.of(registrationKey(address))).invoke(w -> {
            if (w.get(0).count() >= registrations) {
                metrics.rateLimited(LimitMetrics.REGISTRATIONS);
                throw ParleyException.rateLimited("too many registrations; try again later", w.get(0).left());
            }
        }).replaceWithVoid();
    }

    /** Counts a registration from the address (one that got past the name check and will be hashed). */
    public Uni<Void> registrationAttempted(String address) {
        if (registrations <= 0) {
            return Uni.createFrom().voidItem();
        }
        return counters.add(List.of(registrationKey(address)), failures.window());
    }

    private static String registrationKey(String address) {
        return "register:" + address;
    }

    private static String userKey(String username) {
        return "attempts:login-user:" + username.toLowerCase(Locale.ROOT);
    }

    private static String addressKey(String address) {
        return "attempts:login-address:" + address;
    }
}

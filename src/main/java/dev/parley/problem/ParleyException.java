package dev.parley.problem;

import java.time.Duration;
import java.util.Optional;

/**
 * A domain error with its protocol code. Services throw it; the REST mapper turns it into
 * problem+json and the WebSocket gateway into an {@code error} frame.
 */
public class ParleyException extends RuntimeException {

    private final ErrorCode code;
    private final Duration retryAfter;

    public ParleyException(ErrorCode code, String message) {
        this(code, message, null);
    }

    private ParleyException(ErrorCode code, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    /** How long the caller should wait before trying again, when the error says so (429). */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public static ParleyException badRequest(String message) {
        return new ParleyException(ErrorCode.BAD_REQUEST, message);
    }

    public static ParleyException unauthorized(String message) {
        return new ParleyException(ErrorCode.UNAUTHORIZED, message);
    }

    public static ParleyException forbidden(String message) {
        return new ParleyException(ErrorCode.FORBIDDEN, message);
    }

    public static ParleyException notFound(String message) {
        return new ParleyException(ErrorCode.NOT_FOUND, message);
    }

    public static ParleyException conflict(String message) {
        return new ParleyException(ErrorCode.CONFLICT, message);
    }

    public static ParleyException tooLarge(String message) {
        return new ParleyException(ErrorCode.TOO_LARGE, message);
    }

    public static ParleyException rateLimited(String message) {
        return new ParleyException(ErrorCode.RATE_LIMITED, message);
    }

    public static ParleyException rateLimited(String message, Duration retryAfter) {
        return new ParleyException(ErrorCode.RATE_LIMITED, message, retryAfter);
    }

    public static ParleyException unavailable(String message) {
        return new ParleyException(ErrorCode.UNAVAILABLE, message);
    }
}

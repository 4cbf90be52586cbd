package dev.parley.problem;

/**
 * The error codes of the wire protocol. The same code names a WebSocket {@code error} frame and
 * the {@code type} of a REST problem, so a client handles both alike.
 */
public enum ErrorCode {
    BAD_REQUEST("bad_request", 400, "Bad request"),
    UNAUTHORIZED("unauthorized", 401, "Unauthorized"),
    FORBIDDEN("forbidden", 403, "Forbidden"),
    NOT_FOUND("not_found", 404, "Not found"),
    CONFLICT("conflict", 409, "Conflict"),
    TOO_LARGE("too_large", 413, "Too large"),
    RATE_LIMITED("rate_limited", 429, "Rate limited"),
    UNAVAILABLE("unavailable", 503, "Unavailable"),
    INTERNAL("internal", 500, "Internal error");

    private final String wire;
    private final int status;
    private final String title;

    ErrorCode(String wire, int status, String title) {
        this.wire = wire;
        this.status = status;
        this.title = title;
    }

    /**
     * The code of an HTTP error status, for answers that did not start as a {@link ParleyException}
     * (the HTTP layer's own refusals, JAX-RS's 405/406/415): the protocol's codes are a closed set,
     * so a status without a code of its own takes the nearest: any other 4xx is {@code bad_request}
     * (the request is wrong and resending it unchanged will not help), 413/414/431 are
     * {@code too_large}, any other 5xx is {@code internal}.
     */
    public static ErrorCode ofStatus(int status) {
        return switch (status) {
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            case 413, 414, 431 -> TOO_LARGE;
            case 429 -> RATE_LIMITED;
            case 502, 503, 504 -> UNAVAILABLE;
            default -> status >= 500 ? INTERNAL : BAD_REQUEST;
        };
    }

    /** The code as it appears on the wire, e.g. {@code bad_request}. */
    public String wire() {
        return wire;
    }

    public int httpStatus() {
        return status;
    }

    public String title() {
        return title;
    }
}

package dev.parley.problem;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem document. {@code type} is a stable URN built from the protocol error code,
 * so REST clients and WebSocket clients share one vocabulary.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String code) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(ErrorCode code, String detail) {
        return of(code.httpStatus(), code, detail);
    }

    /** A problem whose HTTP status is not its code's own (415 with {@code bad_request}, 431 with {@code too_large}). */
    public static Problem of(int status, ErrorCode code, String detail) {
        return new Problem("urn:parley:problem:" + code.wire(), code.title(), status, detail, code.wire());
    }

    /** The same document as Vert.x JSON, for answers written below JAX-RS (the router, the HTTP codec's refusals). */
    public io.vertx.core.json.JsonObject toJson() {
        io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject().put("type", type).put("title", title)
                .put("status", status);
        if (detail != null) {
            json.put("detail", detail);
        }
        return json.put("code", code);
    }
}

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
        return new Problem("urn:parley:problem:" + code.wire(), code.title(), code.httpStatus(), detail, code.wire());
    }
}

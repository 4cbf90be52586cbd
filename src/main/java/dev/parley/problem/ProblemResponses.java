package dev.parley.problem;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes a problem document on a bare Vert.x response: for refusals made before or outside JAX-RS
 * (a raw path with dot segments, a body over the limit, the HTTP codec's own 400/414/431), so that
 * they read like every other error of the API. The code follows {@link ErrorCode#ofStatus}.
 */
public final class ProblemResponses {

    private ProblemResponses() {
    }

    /** Ends the response with the status and its problem document, unless it was already started. */
    public static void end(HttpServerResponse response, int status, String detail) {
        if (response.headWritten() || response.ended() || response.closed()) {
            return;
        }
        ErrorCode code = ErrorCode.ofStatus(status);
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader("X-Content-Type-Options", "nosniff");
        if (code == ErrorCode.UNAUTHORIZED) {
            response.putHeader("WWW-Authenticate", "Bearer");
        }
        response.end(Problem.of(status, code, detail).toJson().encode());
    }
}

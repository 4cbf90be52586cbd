package dev.parley.problem;

import java.time.Duration;

import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

import dev.parley.wire.ClientText;

/** The one place where REST failures become {@code application/problem+json}. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response parley(ParleyException e) {
        if (e.code() == ErrorCode.UNAUTHORIZED) {
            return unauthorized(e.getMessage());
        }
        if (e.retryAfter().isPresent()) {
            long seconds = seconds(e.retryAfter().get());
            return Response.status(e.code().httpStatus()).header(HttpHeaders.RETRY_AFTER, seconds)
                    .type(Problem.MEDIA_TYPE).entity(Problem.of(e.code(), e.getMessage())).build();
        }
        return problem(e.code(), e.getMessage());
    }

    @ServerExceptionMapper({ AuthenticationFailedException.class, UnauthorizedException.class,
            AuthenticationCompletionException.class })
    public Response unauthenticated(RuntimeException e) {
        return unauthorized("A valid bearer token is required");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return problem(ErrorCode.FORBIDDEN, "Not allowed");
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e) {
        String detail = e.getConstraintViolations().stream()
                .map(v -> lastNode(v.getPropertyPath().toString()) + ": " + v.getMessage())
                .sorted()
                .reduce((a, b) -> a + "; " + b)
                .orElse("Invalid request");
        return problem(ErrorCode.BAD_REQUEST, detail);
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e) {
        return problem(ErrorCode.BAD_REQUEST, "Malformed JSON body");
    }

    @ServerExceptionMapper
    public Response mistyped(MismatchedInputException e) {
        String field = e.getPath().isEmpty() ? "body" : e.getPath().get(e.getPath().size() - 1).getFieldName();
        if (e instanceof InvalidFormatException invalid && invalid.getTargetType() == String.class) {
            // the only strings refused while reading are those that break the rule for client text
            return problem(ErrorCode.BAD_REQUEST, field + ": " + ClientText.fault(String.valueOf(invalid.getValue())));
        }
        return problem(ErrorCode.BAD_REQUEST, "invalid field: " + field);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 401) {
            return unauthorized("A valid bearer token is required");
        }
        // 405, 406, 415 and their kin keep their status, with the nearest code
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(status, ErrorCode.ofStatus(status), e.getMessage())).build();
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        if (RequestBodyFailure.is(e)) {
            return problem(ErrorCode.BAD_REQUEST, "the request body could not be read as its Content-Type says");
        }
        if (DependencyFailure.is(e)) {
            LOG.warnf("A dependency failed: %s", e.toString());
            return problem(ErrorCode.UNAVAILABLE, "a dependency is unavailable; nothing was stored, retry");
        }
        LOG.error("Unexpected failure", e);
        return problem(ErrorCode.INTERNAL, "Internal error");
    }

    /** A {@code Retry-After} in whole seconds, rounded up: a client that waits as told is not refused again. */
    public static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }

    public static Response problem(ErrorCode code, String detail) {
        return Response.status(code.httpStatus()).type(Problem.MEDIA_TYPE).entity(Problem.of(code, detail)).build();
    }

    private static Response unauthorized(String detail) {
        return Response.status(401)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .type(Problem.MEDIA_TYPE)
                .entity(Problem.of(ErrorCode.UNAUTHORIZED, detail))
                .build();
    }

    private static String lastNode(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}

package dev.parley.config;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.parley.problem.ErrorCode;
import dev.parley.problem.ProblemMapper;
import dev.parley.wire.ControlCharacters;

/**
 * Refuses REST path and query parameters that carry control characters (a NUL in a room id or a
 * username would otherwise reach PostgreSQL, which fails the statement): 400 problem+json.
 * Bodies are checked by the JSON reader ({@link StrictJsonCustomizer}).
 */
public class ControlCharacterFilter {

    @ServerRequestFilter
    public Response refuseControlCharacters(UriInfo uri) {
        String bad = firstBad(uri.getPathParameters());
        if (bad == null) {
            bad = firstBad(uri.getQueryParameters());
        }
        return bad == null ? null
                : ProblemMapper.problem(ErrorCode.BAD_REQUEST, bad + ": " + StrictJsonCustomizer.CONTROL_CHARACTERS);
    }

    private static String firstBad(Map<String, List<String>> parameters) {
        for (Map.Entry<String, List<String>> p : parameters.entrySet()) {
            for (String value : p.getValue()) {
                if (ControlCharacters.in(value)) {
                    return p.getKey();
                }
            }
        }
        return null;
    }
}

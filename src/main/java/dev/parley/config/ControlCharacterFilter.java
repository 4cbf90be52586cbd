package dev.parley.config;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.WithFormRead;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.core.multipart.FormData;
import org.jboss.resteasy.reactive.server.multipart.FormValue;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

import dev.parley.problem.ErrorCode;
import dev.parley.problem.ProblemMapper;
import dev.parley.wire.ControlCharacters;

/**
 * Refuses REST path and query parameters and form fields (multipart text fields and file names)
 * that carry control characters (a NUL in a room id or a message text would otherwise reach
 * PostgreSQL, which fails the statement): 400 problem+json, before the resource method runs. JSON
 * bodies are checked by the JSON reader ({@link StrictJsonCustomizer}); both apply the one rule of
 * {@link ControlCharacters}.
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

    // Runs once the form is read (the other filter runs before, when there is none yet); it aborts
    // rather than returning the answer, since a filter that returns one sees only a wrapper.
    @ServerRequestFilter
    @WithFormRead
    public void refuseControlCharactersInForms(ResteasyReactiveContainerRequestContext request) {
        if (!(request.getServerRequestContext() instanceof ResteasyReactiveRequestContext context)
                || context.getFormData() == null) {
            return;
        }
        FormData form = context.getFormData();
        for (String name : form) {
            for (FormValue value : form.get(name)) {
                String text = value.isFileItem() ? value.getFileName() : value.getValue();
                if (text != null && ControlCharacters.in(text)) {
                    request.abortWith(ProblemMapper.problem(ErrorCode.BAD_REQUEST, name + ": " + StrictJsonCustomizer.CONTROL_CHARACTERS));
                    return;
                }
            }
        }
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

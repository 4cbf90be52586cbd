package dev.parley.config;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.parley.problem.ErrorCode;
import dev.parley.problem.Problem;

/**
 * A JSON endpoint reads only a body that says it is JSON: a body with no Content-Type, or with a
 * wildcard one ({@code *}{@code /*}), is refused with 415 rather than guessed at (JAX-RS would
 * otherwise match the wildcard and read whatever came).
 */
public class JsonContentTypeFilter {

    @ServerRequestFilter
    public Response requireJson(ContainerRequestContext request, ResourceInfo resource) {
        if (!hasBody(request) || !consumesJson(resource)) {
            return null;
        }
        MediaType type = request.getMediaType();
        if (type != null && !type.isWildcardType() && !type.isWildcardSubtype()
                && ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"))) {
            return null;
        }
        return Response.status(415).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(415, ErrorCode.ofStatus(415), "the body must be sent as application/json")).build();
    }

    private static boolean hasBody(ContainerRequestContext request) {
        String length = request.getHeaderString("Content-Length");
        return request.getHeaderString("Transfer-Encoding") != null || length != null && !length.strip().equals("0");
    }

    private static boolean consumesJson(ResourceInfo resource) {
        if (resource == null || resource.getResourceMethod() == null) {
            return false;
        }
        Consumes consumes = resource.getResourceMethod().getAnnotation(Consumes.class);
        if (consumes == null) {
            consumes = resource.getResourceClass().getAnnotation(Consumes.class);
        }
        if (consumes == null) {
            return false;
        }
        for (String value : consumes.value()) {
            if (value.contains("json")) {
                return true;
            }
        }
        return false;
    }
}

package dev.parley.config;

import java.util.Map;
import java.util.TreeMap;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * The errors every endpoint of /api can answer, added to each operation of the OpenAPI document
 * once here rather than on every resource method: 400 (bad input, a bad path or parameter), 500 and
 * 503 everywhere; 401 and 429 (the per-user request budget) where a token is needed; 413 (the
 * body limit) and 415 (no or a wrong Content-Type) where there is a body. Each is a problem+json
 * response of META-INF/openapi.yaml. The errors particular to an endpoint (403, 404, 409 ...) are
 * on its resource method.
 *
 * <p>Error responses without content are dropped first: those are the framework's guesses (a 403
 * on every secured operation, a bare 400 and 401) and would claim answers that do not happen or hide
 * their problem document. Runs at startup, after the build's own filters have added them.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class OpenApiErrors implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (path.startsWith("/api/")) {
                item.getOperations().values().forEach(OpenApiErrors::complete);
            }
        });
    }

    private static void complete(Operation operation) {
        APIResponses responses = operation.getResponses();
        Map<String, APIResponse> all = new TreeMap<>(responses.getAPIResponses() == null ? Map.of() : responses.getAPIResponses());
        all.entrySet().removeIf(e -> isError(e.getKey()) && e.getValue().getRef() == null && e.getValue().getContent() == null);
        boolean secured = operation.getSecurity() != null && !operation.getSecurity().isEmpty();
        boolean body = operation.getRequestBody() != null;
        all.putIfAbsent("400", shared("BadRequest"));
        if (secured) {
            all.putIfAbsent("401", shared("Unauthorized"));
            all.putIfAbsent("429", shared("RateLimited"));
        }
        if (body) {
            all.putIfAbsent("413", shared("TooLarge"));
            all.putIfAbsent("415", shared("UnsupportedMediaType"));
        }
        all.putIfAbsent("500", shared("Internal"));
        all.putIfAbsent("503", shared("Unavailable"));
        responses.setAPIResponses(all);
    }

    private static boolean isError(String status) {
        return status.startsWith("4") || status.startsWith("5");
    }

    private static APIResponse shared(String name) {
        return OASFactory.createAPIResponse().ref("#/components/responses/" + name);
    }
}

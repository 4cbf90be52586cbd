package dev.parley.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Holds every REST answer the tests get against the OpenAPI document of the application that gave
 * it: a status the document does not list for the operation (its method and path template) fails
 * the call, and so the test that made it, with the operation and the statuses it documents. An
 * error status must come as a problem document too. Registered for every {@code @QuarkusTest} by
 * {@link DocumentedStatusesCallback}.
 *
 * <p>Why a check on every call rather than a record checked after the suite: the suite's REST tests
 * already reach nearly every status of every endpoint, so they are the test; checking each answer as
 * it comes fails the very test that met an undocumented status, needs no test that must run last
 * (JUnit and Quarkus order test classes their own way, and a listener at the end of the run cannot
 * fail it reliably), and works the same for one test class run alone. The document is read once per
 * running application ({@code /q/openapi?format=json}), so a test profile's restart reads it again.
 * Requests to paths or methods the document does not describe (a fuzzer's) are not its business,
 * nor are raw-socket requests, which do not go through REST Assured.
 */
public final class DocumentedStatuses implements Filter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Map<String, List<Operation>> DOCUMENTS = new ConcurrentHashMap<>();

    /** One documented operation: the method, the path template as a pattern, the statuses listed. */
    record Operation(String method, String template, Pattern path, int literals, Set<String> statuses) {
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification responseSpec,
            FilterContext context) {
        Response response = context.next(request, responseSpec);
        URI uri = URI.create(request.getURI());
        String path = uri.getRawPath();
        if (path == null || !path.startsWith("/api/")) {
            return response;
        }
        String origin = uri.getScheme() + "://" + uri.getRawAuthority();
        String method = request.getMethod().toLowerCase(Locale.ROOT);
        Operation operation = DOCUMENTS.computeIfAbsent(origin, DocumentedStatuses::read).stream()
                .filter(o -> o.method().equals(method) && o.path().matcher(path).matches())
                .max(Comparator.comparingInt(Operation::literals)).orElse(null);
        if (operation == null) {
            return response;
        }
        String status = String.valueOf(response.statusCode());
        if (!operation.statuses().contains(status)) {
            throw new AssertionError("undocumented status: " + method.toUpperCase(Locale.ROOT) + " " + path + " answered "
                    + status + ", but the OpenAPI document lists " + operation.statuses() + " for "
                    + method.toUpperCase(Locale.ROOT) + " " + operation.template() + " (" + response.asString() + ")");
        }
        if (response.statusCode() >= 400 && !String.valueOf(response.contentType()).startsWith("application/problem+json")) {
            throw new AssertionError(method.toUpperCase(Locale.ROOT) + " " + path + " answered " + status
                    + " without a problem document: " + response.contentType() + " " + response.asString());
        }
        return response;
    }

    private static List<Operation> read(String origin) {
        JsonNode document;
        try {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(origin + "/q/openapi?format=json")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("/q/openapi answered " + answer.statusCode());
            }
            document = JSON.readTree(answer.body());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the OpenAPI document of " + origin, e);
        }
        List<Operation> operations = new ArrayList<>();
        document.path("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(o -> {
            if (!o.getValue().has("responses")) {
                return; // path-level parameters, not an operation
            }
            Set<String> statuses = new TreeSet<>();
            o.getValue().path("responses").fieldNames().forEachRemaining(statuses::add);
            statuses.remove("default"); // a catch-all documents no status
            String template = p.getKey();
            String pattern = Pattern.compile("\\{[^}]+}").splitAsStream(template).map(Pattern::quote)
                    .reduce((a, b) -> a + "[^/]+" + b).orElse("") + (template.endsWith("}") ? "[^/]+" : "");
            operations.add(new Operation(o.getKey(), template, Pattern.compile(pattern),
                    template.replaceAll("\\{[^}]+}", "").length(), statuses));
        }));
        return operations;
    }
}

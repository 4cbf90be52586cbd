package dev.parley.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The few calls of Keycloak's admin REST API the tests need: their fixtures (users, clients) and
 * what an operator would do for a deployment (register the web app's redirect URI).
 */
final class KeycloakAdmin {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private static final String LOGOUT_URIS = "post.logout.redirect.uris";

    private final String base;
    private final String token;

    private KeycloakAdmin(String base, String token) {
        this.base = base;
        this.token = token;
    }

    static KeycloakAdmin login(String base, String username, String password) {
        String form = Map.of("client_id", "admin-cli", "grant_type", "password", "username", username, "password", password)
                .entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
        expect(response, 200);
        return new KeycloakAdmin(base, read(response.body()).path("access_token").asText());
    }

    /** A public client for the password grant, with or without Parley's audience mapper; kept if it exists. */
    void createClient(String realm, String clientId, boolean parleyAudience) {
        ObjectNode client = JSON.createObjectNode()
                .put("clientId", clientId)
                .put("enabled", true)
                .put("protocol", "openid-connect")
                .put("publicClient", true)
                .put("standardFlowEnabled", false)
                .put("directAccessGrantsEnabled", true);
        if (parleyAudience) {
            ObjectNode mapper = client.putArray("protocolMappers").addObject()
                    .put("name", "parley-audience")
                    .put("protocol", "openid-connect")
                    .put("protocolMapper", "oidc-audience-mapper");
            mapper.putObject("config")
                    .put("included.custom.audience", "parley")
                    .put("access.token.claim", "true")
                    .put("id.token.claim", "false");
        }
        expect(post("/admin/realms/" + realm + "/clients", client), 201, 409);
    }

    /** A user with a password and a complete profile; kept if it exists. */
    void createUser(String realm, String username, String email, String firstName, String lastName, String password) {
        ObjectNode user = JSON.createObjectNode()
                .put("username", username)
                .put("enabled", true)
                .put("email", email)
                .put("emailVerified", true)
                .put("firstName", firstName)
                .put("lastName", lastName);
        user.putArray("credentials").addObject().put("type", "password").put("value", password).put("temporary", false);
        expect(post("/admin/realms/" + realm + "/users", user), 201, 409);
    }

    /** Adds {@code uri} to the client's redirect URIs and post-logout redirect URIs (exact, no wildcard). */
    void registerRedirect(String realm, String clientId, String uri) {
        HttpResponse<String> found = send(authorized("/admin/realms/" + realm + "/clients?clientId="
                + URLEncoder.encode(clientId, StandardCharsets.UTF_8)).GET());
        expect(found, 200);
        ObjectNode client = (ObjectNode) read(found.body()).path(0);
        if (client.isMissingNode()) {
            throw new IllegalStateException("No client " + clientId + " in realm " + realm);
        }
        ArrayNode redirects = client.withArray("redirectUris");
        List<String> current = new ArrayList<>();
        redirects.forEach(node -> current.add(node.asText()));
        if (!current.contains(uri)) {
            redirects.add(uri);
        }
        ObjectNode attributes = client.with("attributes");
        List<String> logout = new ArrayList<>(Arrays.asList(attributes.path(LOGOUT_URIS).asText("").split("##")));
        logout.removeIf(String::isBlank);
        if (!logout.contains(uri)) {
            logout.add(uri);
        }
        attributes.put(LOGOUT_URIS, String.join("##", logout));
        expect(send(authorized("/admin/realms/" + realm + "/clients/" + client.path("id").asText())
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(client.toString()))), 204);
    }

    /**
     * Adds an RSA signing key the test holds to the realm, at priority 0 (Keycloak keeps signing its
     * own tokens with its generated key) and published in the realm's JWKS; returns the key's kid.
     */
    String importSigningKey(String realm, String privateKeyPem) {
        HttpResponse<String> found = send(authorized("/admin/realms/" + realm).GET());
        expect(found, 200);
        String realmId = read(found.body()).path("id").asText();
        ObjectNode component = JSON.createObjectNode()
                .put("name", "parley-test-key")
                .put("providerId", "rsa")
                .put("providerType", "org.keycloak.keys.KeyProvider")
                .put("parentId", realmId);
        ObjectNode config = component.putObject("config");
        config.putArray("priority").add("0");
        config.putArray("enabled").add("true");
        config.putArray("active").add("true");
        config.putArray("algorithm").add("RS256");
        config.putArray("privateKey").add(privateKeyPem);
        HttpResponse<String> created = post("/admin/realms/" + realm + "/components", component);
        expect(created, 201);
        String componentId = created.headers().firstValue("Location").orElseThrow()
                .replaceAll(".*/", "");
        HttpResponse<String> keys = send(authorized("/admin/realms/" + realm + "/keys").GET());
        expect(keys, 200);
        for (JsonNode key : read(keys.body()).path("keys")) {
            if (componentId.equals(key.path("providerId").asText())) {
                return key.path("kid").asText();
            }
        }
        throw new IllegalStateException("Keycloak lists no key of component " + componentId + ": " + keys.body());
    }

    private HttpResponse<String> post(String path, JsonNode body) {
        return send(authorized(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(Duration.ofSeconds(10)).build();
        try {
            return HTTP.send(built, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak admin request " + built.method() + " " + built.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during " + built.uri(), e);
        }
    }

    private static void expect(HttpResponse<String> response, int... statuses) {
        if (Arrays.stream(statuses).noneMatch(s -> s == response.statusCode())) {
            throw new IllegalStateException("Keycloak admin " + response.request().method() + " " + response.request().uri()
                    + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak answered no JSON: " + body, e);
        }
    }
}

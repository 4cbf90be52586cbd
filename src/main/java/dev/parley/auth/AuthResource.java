package dev.parley.auth;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

import dev.parley.config.ParleyConfig;

@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class AuthResource {

    private static final String NO_STORE = "no-store";

    private final AccountService accounts;
    private final CurrentUserService currentUser;
    private final SecurityIdentity identity;
    private final AuthRequests.SignInOptions signInOptions;

    public AuthResource(AccountService accounts, CurrentUserService currentUser, SecurityIdentity identity,
            ParleyConfig config) {
        this.accounts = accounts;
        this.currentUser = currentUser;
        this.identity = identity;
        ParleyConfig.Keycloak keycloak = config.keycloak();
        this.signInOptions = new AuthRequests.SignInOptions(config.auth().registration(),
                keycloak.enabled() ? new AuthRequests.KeycloakSignIn(keycloak.url(), keycloak.webClientId()) : null);
    }

    @GET
    @Path("/auth/options")
    @APIResponse(responseCode = "200", description = "How a client may sign in: built-in registration, and the Keycloak realm (null when none)", content = @Content(schema = @Schema(implementation = AuthRequests.SignInOptions.class), examples = @ExampleObject(name = "signInOptions", ref = "signInOptions")))
    public AuthRequests.SignInOptions options() {
        return signInOptions;
    }

    @POST
    @Path("/auth/register")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "The account", content = @Content(schema = @Schema(implementation = AuthRequests.Registered.class), examples = @ExampleObject(name = "registered", ref = "registered")))
    @APIResponse(responseCode = "403", description = "Registration is switched off (parley.auth.registration)", ref = "Forbidden")
    @APIResponse(responseCode = "409", description = "The username is taken", ref = "Conflict")
    @APIResponse(responseCode = "429", description = "Too many registrations from this address", ref = "RateLimited")
    public Uni<RestResponse<AuthRequests.Registered>> register(@Valid @NotNull AuthRequests.Register request,
            @Context HttpServerRequest http) {
        return accounts.register(request, address(http)).map(r -> RestResponse.status(Response.Status.CREATED, r));
    }

    @POST
    @Path("/auth/login")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "An access token and a refresh token (Cache-Control: no-store)", content = @Content(schema = @Schema(implementation = AuthRequests.Token.class), examples = @ExampleObject(name = "token", ref = "token")))
    @APIResponse(responseCode = "401", description = "Wrong credentials (the same answer for an unknown user)", ref = "Unauthorized")
    @APIResponse(responseCode = "429", description = "Repeated failures for this username or from this address", ref = "RateLimited")
    public Uni<RestResponse<AuthRequests.Token>> login(@Valid @NotNull AuthRequests.Login request, @Context HttpServerRequest http) {
        return accounts.login(request, address(http)).map(AuthResource::notStored);
    }

    @POST
    @Path("/auth/refresh")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "A new access token and a new refresh token; the one sent is spent", content = @Content(schema = @Schema(implementation = AuthRequests.Token.class), examples = @ExampleObject(name = "token", ref = "token")))
    @APIResponse(responseCode = "401", description = "Unknown, expired, revoked or spent refresh token", ref = "Unauthorized")
    public Uni<RestResponse<AuthRequests.Token>> refresh(@Valid @NotNull AuthRequests.Refresh request) {
        return accounts.refresh(request).map(AuthResource::notStored);
    }

    /** An answer carrying a token, which no browser or proxy may keep: 200 with {@code Cache-Control: no-store}. */
    public static <T> RestResponse<T> notStored(T entity) {
        return RestResponse.ResponseBuilder.ok(entity).header("Cache-Control", NO_STORE).build();
    }

    @POST
    @Path("/auth/logout")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "204", description = "The refresh token's chain is revoked")
    @APIResponse(responseCode = "401", description = "Unknown refresh token", ref = "Unauthorized")
    public Uni<RestResponse<Void>> logout(@Valid @NotNull AuthRequests.Refresh request) {
        return accounts.logout(request).map(v -> RestResponse.noContent());
    }

    // The client's address: the peer's, or the first X-Forwarded-For address when the peer is one of
    // parley.http.trusted-proxies (Quarkus substitutes it before the request gets here). A forwarded
    // value that is no IP address has no hostAddress and is counted under what the proxy sent.
    private static String address(HttpServerRequest http) {
        if (http.remoteAddress() == null) {
            return "unknown";
        }
        String ip = http.remoteAddress().hostAddress();
        return ip != null ? ip : http.remoteAddress().host();
    }

    @GET
    @Path("/me")
    @APIResponse(responseCode = "200", description = "The caller", content = @Content(schema = @Schema(implementation = AuthRequests.Me.class), examples = @ExampleObject(name = "me", ref = "me")))
    @Authenticated
    public Uni<AuthRequests.Me> me() {
        return currentUser.me(identity);
    }
}

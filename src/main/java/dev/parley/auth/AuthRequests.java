package dev.parley.auth;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Bodies and answers of the account endpoints. */
public final class AuthRequests {

    private AuthRequests() {
    }

    @Schema(name = "RegisterRequest")
    public record Register(
            @NotNull @Pattern(regexp = "[a-z0-9_.-]{3,32}", message = "must be 3 to 32 of a-z 0-9 _ . -") String username,
            // bcrypt reads at most 72 bytes; a longer password would be silently truncated
            @NotNull @Size(min = 8, max = 72, message = "must be 8 to 72 characters") String password,
            @Size(max = 128) String displayName) {
    }

    @Schema(name = "LoginRequest")
    public record Login(@NotNull String username, @NotNull String password) {
    }

    public record Registered(String id, String username) {
    }

    public record Token(String accessToken, String tokenType, long expiresIn, String refreshToken, long refreshExpiresIn) {
    }

    @Schema(name = "RefreshRequest")
    public record Refresh(@NotNull String refreshToken) {
    }

    /** How a client may sign in: built-in registration, and the Keycloak realm when there is one. */
    public record SignInOptions(boolean registration, KeycloakSignIn keycloak) {
    }

    /** The realm URL (the OIDC issuer) and the public client for the authorization-code flow. */
    public record KeycloakSignIn(String url, String clientId) {
    }

    public record Me(String id, String username, String displayName, boolean bot) {
    }
}

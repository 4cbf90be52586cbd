package dev.parley.auth;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

import dev.parley.config.ParleyConfig;
import dev.parley.problem.ParleyException;
import dev.parley.problem.UniqueViolation;

/**
 * Built-in accounts: registration and password login, both throttled ({@link LoginThrottle}), and
 * staying signed in through refresh tokens ({@link RefreshTokens}).
 */
@ApplicationScoped
public class AccountService {

    private final UserRepository users;
    private final PasswordHasher hasher;
    private final TokenService tokens;
    private final LoginThrottle throttle;
    private final RefreshTokens refreshTokens;
    private final ParleyConfig config;

    public AccountService(UserRepository users, PasswordHasher hasher, TokenService tokens, LoginThrottle throttle,
            RefreshTokens refreshTokens, ParleyConfig config) {
        this.users = users;
        this.hasher = hasher;
        this.tokens = tokens;
        this.throttle = throttle;
        this.refreshTokens = refreshTokens;
        this.config = config;
    }

    /** Registers a built-in account; {@code address} is the client's, for the registration throttle. */
    public Uni<AuthRequests.Registered> register(AuthRequests.Register request, String address) {
        if (!config.auth().registration()) {
            return Uni.createFrom().failure(ParleyException.forbidden("registration is switched off on this server"));
        }
        if (request.password().getBytes(StandardCharsets.UTF_8).length > 72) {
            return Uni.createFrom().failure(ParleyException.badRequest("password: must be at most 72 bytes"));
        }
        // The throttle answers first, so a throttled address cannot probe which names exist; the name
        // is checked before the slow hash, so a flood of taken names costs no bcrypt (and no count).
        return throttle.admitRegistration(address)
                .chain(() -> Panache.withSession(() -> users.usernameTaken(request.username())))
                .invoke(taken -> {
                    if (taken) {
                        throw ParleyException.conflict("username is taken");
                    }
                })
                .chain(() -> throttle.registrationAttempted(address))
                .chain(() -> hasher.hash(request.password()))
                .chain(hash -> Panache.withTransaction(() -> {
                    User user = new User();
                    user.id = UUID.randomUUID().toString();
                    user.username = request.username();
                    user.displayName = blankToNull(request.displayName());
                    user.passwordHash = hash;
                    user.kind = User.KIND_USER;
                    user.issuer = config.auth().issuer();
                    user.subject = user.id;
                    user.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
                    return users.persist(user);
                }))
                .map(user -> new AuthRequests.Registered(user.id, user.username))
                // the same name registered meanwhile: the unique index decides
                .onFailure(UniqueViolation::is)
                .transform(e -> ParleyException.conflict("username is taken"));
    }

    /** Logs in with a password; {@code address} is the client's, for the login throttle. */
    public Uni<AuthRequests.Token> login(AuthRequests.Login request, String address) {
        // Unknown users and wrong passwords get the same answer after the same amount of work.
        return throttle.admitLogin(request.username(), address)
                .chain(() -> Panache.withSession(() -> users.findByUsername(request.username())))
                .chain(user -> hasher.matches(request.password(), user == null || !User.KIND_USER.equals(user.kind)
                        ? null : user.passwordHash)
                        .chain(ok -> {
                            if (!ok) {
                                return throttle.loginFailed(request.username(), address).chain(() -> Uni.createFrom()
                                        .<AuthRequests.Token>failure(ParleyException.unauthorized("wrong username or password")));
                            }
                            return throttle.loginSucceeded(request.username())
                                    .chain(() -> refreshTokens.start(user.id))
                                    .map(refresh -> token(user, refresh));
                        }));
    }

    /** A new access token and the next refresh token of the chain (the one given is spent). */
    public Uni<AuthRequests.Token> refresh(AuthRequests.Refresh request) {
        return refreshTokens.rotate(request.refreshToken())
                .chain(rotated -> users.findDetached(rotated.userId()).map(user -> {
                    if (user == null) {
                        throw ParleyException.unauthorized("the account no longer exists");
                    }
                    return token(user, rotated.next());
                }));
    }

    /** Ends the refresh token's chain: neither it nor any token refreshed from it works again. */
    public Uni<Void> logout(AuthRequests.Refresh request) {
        return refreshTokens.revoke(request.refreshToken());
    }

    private AuthRequests.Token token(User user, RefreshTokens.Issued refresh) {
        TokenService.IssuedToken issued = tokens.issueFor(user);
        return new AuthRequests.Token(issued.token(), "Bearer", issued.expiresInSeconds(), refresh.token(),
                refresh.expiresInSeconds());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}

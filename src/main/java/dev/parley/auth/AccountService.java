package dev.parley.auth;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.parley.config.ParleyConfig;
import dev.parley.problem.ParleyException;
import dev.parley.problem.UniqueViolation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/** Built-in accounts: registration and password login. */
@ApplicationScoped
public class AccountService {

    private final UserRepository users;
    private final PasswordHasher hasher;
    private final TokenService tokens;
    private final ParleyConfig config;

    public AccountService(UserRepository users, PasswordHasher hasher, TokenService tokens, ParleyConfig config) {
        this.users = users;
        this.hasher = hasher;
        this.tokens = tokens;
        this.config = config;
    }

    public Uni<AuthRequests.Registered> register(AuthRequests.Register request) {
        if (request.password().getBytes(StandardCharsets.UTF_8).length > 72) {
            return Uni.createFrom().failure(ParleyException.badRequest("password: must be at most 72 bytes"));
        }
        return hasher.hash(request.password())
                .chain(hash -> Panache.withTransaction(() -> users.usernameTaken(request.username())
                        .chain(taken -> {
                            if (taken) {
                                throw ParleyException.conflict("username is taken");
                            }
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
                        })))
                .map(user -> new AuthRequests.Registered(user.id, user.username))
                .onFailure(UniqueViolation::is)
                .transform(e -> ParleyException.conflict("username is taken"));
    }

    public Uni<AuthRequests.Token> login(AuthRequests.Login request) {
        // Unknown users and wrong passwords get the same answer after the same amount of work.
        return Panache.withSession(() -> users.findByUsername(request.username()))
                .chain(user -> hasher.matches(request.password(), user == null || !User.KIND_USER.equals(user.kind)
                        ? null : user.passwordHash)
                        .map(ok -> {
                            if (!ok) {
                                throw ParleyException.unauthorized("wrong username or password");
                            }
                            TokenService.IssuedToken issued = tokens.issueFor(user);
                            return new AuthRequests.Token(issued.token(), "Bearer", issued.expiresInSeconds());
                        }));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}

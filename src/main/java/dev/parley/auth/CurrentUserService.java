package dev.parley.auth;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.parley.config.ParleyConfig;
import dev.parley.limit.UserBudget;
import dev.parley.problem.ParleyException;
import dev.parley.problem.UniqueViolation;

/**
 * Turns a verified token into Parley's user record, and charges the request to the user's request
 * budget ({@link UserBudget}): every REST call and WebSocket upgrade of a user passes here once. Our own tokens name the user by id; a token from
 * an external issuer (Keycloak) is looked up by issuer and subject, and its user is created from the
 * token's claims the first time it is seen. Callers get views, never the entity.
 */
@ApplicationScoped
public class CurrentUserService {

    private final UserRepository users;
    private final ParleyConfig config;
    private final UserBudget budget;

    public CurrentUserService(UserRepository users, ParleyConfig config, UserBudget budget) {
        this.users = users;
        this.config = config;
        this.budget = budget;
    }

    /** The caller as frames and bodies show it; {@code rate_limited} when over their request budget. */
    public Uni<UserView> resolve(SecurityIdentity identity) {
        return charged(identity).map(UserView::of);
    }

    /** The caller's own account, as {@code GET /api/me} shows it. */
    public Uni<AuthRequests.Me> me(SecurityIdentity identity) {
        return charged(identity).map(u -> new AuthRequests.Me(u.id, u.username, u.displayName, User.KIND_BOT.equals(u.kind)));
    }

    private Uni<User> charged(SecurityIdentity identity) {
        return user(identity).call(u -> budget.charge(u.id));
    }

    private Uni<User> user(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Uni.createFrom().failure(ParleyException.unauthorized("not authenticated"));
        }
        String issuer = jwt.getIssuer();
        String subject = jwt.getSubject();
        if (issuer == null || subject == null) {
            return Uni.createFrom().failure(ParleyException.unauthorized("token has no issuer or subject"));
        }
        if (issuer.equals(config.auth().issuer())) {
            return users.findDetached(subject)
                    .onItem().ifNull().failWith(() -> ParleyException.unauthorized("unknown user"));
        }
        return Panache.withSession(() -> users.findByIssuerAndSubject(issuer, subject))
                .onItem().ifNull().switchTo(() -> provision(jwt, issuer, subject, 0));
    }

    // Two first requests may race to create the same user, and a claimed username may already belong
    // to someone else: the unique constraints decide, and we retry with the winner or a suffixed name.
    private Uni<User> provision(JsonWebToken jwt, String issuer, String subject, int attempt) {
        String wanted = usernameFrom(jwt, subject);
        String username = attempt == 0 ? wanted
                : truncate(wanted, 32 - 7) + "-" + UUID.randomUUID().toString().substring(0, 6);
        User user = new User();
        user.id = UUID.randomUUID().toString();
        user.username = username;
        user.displayName = jwt.getClaim("name");
        user.kind = User.KIND_USER;
        user.issuer = issuer;
        user.subject = subject;
        user.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
        return Panache.withTransaction(() -> users.persist(user))
                .onFailure(e -> UniqueViolation.is(e) && attempt < 5)
                .recoverWithUni(() -> Panache.withSession(() -> users.findByIssuerAndSubject(issuer, subject))
                        .onItem().ifNull().switchTo(() -> provision(jwt, issuer, subject, attempt + 1)));
    }

    private static String usernameFrom(JsonWebToken jwt, String subject) {
        String preferred = jwt.getClaim("preferred_username");
        String base = preferred == null ? "user-" + subject : preferred;
        String folded = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "_");
        if (folded.length() < 3) {
            folded = (folded + "___").substring(0, 3);
        }
        return truncate(folded, 32);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}

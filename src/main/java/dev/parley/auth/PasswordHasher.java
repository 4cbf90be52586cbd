package dev.parley.auth;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.elytron.security.common.BcryptUtil;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Salted bcrypt hashes. Hashing is deliberately slow (tens of milliseconds), so it runs on a worker
 * thread and never on the event loop.
 */
@ApplicationScoped
public class PasswordHasher {

    // Any valid hash: comparing against it when the user is unknown keeps login timing uniform.
    private static final String DUMMY_HASH = BcryptUtil.bcryptHash("parley-dummy-password");

    private final Vertx vertx;

    public PasswordHasher(Vertx vertx) {
        this.vertx = vertx;
    }

    public Uni<String> hash(String password) {
        return vertx.executeBlocking(() -> BcryptUtil.bcryptHash(password));
    }

    /** True when the password matches; a null hash (unknown user, no password) never matches. */
    public Uni<Boolean> matches(String password, String hash) {
        return vertx.executeBlocking(() -> {
            boolean ok = BcryptUtil.matches(password, hash == null ? DUMMY_HASH : hash);
            return ok && hash != null;
        });
    }
}

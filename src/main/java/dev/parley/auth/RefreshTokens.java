package dev.parley.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.parley.config.ParleyConfig;
import dev.parley.problem.ParleyException;

/**
 * Refresh tokens of built-in accounts: 256 random bits, given out once and stored as their SHA-256
 * (a fast hash is enough for a secret that cannot be guessed; the database never holds a usable
 * token). Each login starts a chain; {@link #rotate} spends a token and hands out the next of its
 * chain. A spent token presented again means two parties hold the chain (a stolen copy, or a
 * client that lost an answer): the whole chain is revoked, so the thief's copy dies too.
 */
@ApplicationScoped
public class RefreshTokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Pool pool;
    private final Duration lifetime;

    public RefreshTokens(Pool pool, ParleyConfig config) {
        this.pool = pool;
        this.lifetime = config.auth().refreshLifetime();
    }

    /** A token of a new chain for the user. */
    public Uni<Issued> start(String userId) {
        return insert(pool, UUID.randomUUID().toString(), userId);
    }

    /** A refresh token, and how long it lasts. */
    public record Issued(String token, long expiresInSeconds) {
    }

    /** What a rotation gives: the user the chain belongs to and the chain's next token. */
    public record Rotated(String userId, Issued next) {
    }

    /**
     * Spends the token and issues the next of its chain; a token unknown, expired, revoked or
     * already spent is {@code unauthorized}, and an already spent one revokes its chain.
     */
    public Uni<Rotated> rotate(String token) {
        byte[] hash = hash(token);
        return pool.withTransaction(tx -> tx.preparedQuery("""
                select chain_id, user_id, rotated_at is not null, revoked_at is not null, expires_at <= now()
                  from refresh_tokens where token_hash = $1 for update""")
                .execute(Tuple.of(hash))
                .chain(rows -> {
                    Row row = single(rows);
                    if (row == null || row.getBoolean(3) || row.getBoolean(4)) {
                        return Uni.createFrom().<Rotated>nullItem();
                    }
                    String chain = row.getString(0);
                    if (row.getBoolean(2)) {
                        // refused too, but after the commit: the revocation must stay
                        return revokeChain(tx, chain).replaceWith((Rotated) null);
                    }
                    String userId = row.getString(1);
                    return tx.preparedQuery("update refresh_tokens set rotated_at = now() where token_hash = $1")
                            .execute(Tuple.of(hash))
                            .chain(() -> insert(tx, chain, userId))
                            .map(next -> new Rotated(userId, next));
                }))
                .onItem().ifNull().failWith(RefreshTokens::refused);
    }

    /** Ends the token's chain (logout). Unknown tokens are {@code unauthorized}; a spent or revoked one still ends its chain. */
    public Uni<Void> revoke(String token) {
        return pool.withTransaction(tx -> tx.preparedQuery("select chain_id from refresh_tokens where token_hash = $1")
                .execute(Tuple.of(hash(token)))
                .chain(rows -> {
                    Row row = single(rows);
                    return row == null ? Uni.createFrom().<Void>failure(refused()) : revokeChain(tx, row.getString(0));
                }));
    }

    private Uni<Void> revokeChain(SqlClient client, String chain) {
        return client.preparedQuery("update refresh_tokens set revoked_at = now() where chain_id = $1 and revoked_at is null")
                .execute(Tuple.of(chain)).replaceWithVoid();
    }

    private Uni<Issued> insert(SqlClient client, String chain, String userId) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return client.preparedQuery("""
                insert into refresh_tokens (token_hash, chain_id, user_id, expires_at)
                values ($1, $2, $3, now() + make_interval(secs => $4))""")
                .execute(Tuple.of(hash(token), chain, userId, (double) lifetime.toSeconds()))
                .replaceWith(new Issued(token, lifetime.toSeconds()));
    }

    private static Row single(RowSet<Row> rows) {
        return rows.iterator().hasNext() ? rows.iterator().next() : null;
    }

    private static ParleyException refused() {
        return ParleyException.unauthorized("refresh token unknown, expired or revoked; log in again");
    }

    private static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

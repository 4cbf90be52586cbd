package dev.parley.auth;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

@ApplicationScoped
public class UserRepository implements PanacheRepositoryBase<User, String> {

    private final Pool pool;

    public UserRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * The user behind a Parley token, read with one prepared statement on the reactive client and
     * returned detached: every REST call and WebSocket upgrade needs it, and opening a Hibernate
     * session for it was the largest item in a profile of connection opening. A revoked user (a
     * deleted bot) is not found: its token names nobody any more.
     */
    public Uni<User> findDetached(String id) {
        return pool.preparedQuery("""
                select id, username, display_name, kind, issuer, subject, owner_id, created_at
                  from users where id = $1 and revoked_at is null""")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    User user = new User();
                    user.id = row.getString("id");
                    user.username = row.getString("username");
                    user.displayName = row.getString("display_name");
                    user.kind = row.getString("kind");
                    user.issuer = row.getString("issuer");
                    user.subject = row.getString("subject");
                    user.ownerId = row.getString("owner_id");
                    user.createdAt = row.getOffsetDateTime("created_at");
                    return user;
                });
    }

    public Uni<User> findByUsername(String username) {
        return find("lower(username) = lower(?1)", username).firstResult();
    }

    public Uni<User> findByIssuerAndSubject(String issuer, String subject) {
        return find("issuer = ?1 and subject = ?2", issuer, subject).firstResult();
    }

    /** Which of the users have been revoked (a bot whose owner deleted it). */
    public Uni<List<String>> revokedAmong(String[] ids) {
        return pool.preparedQuery("select id from users where id = any($1) and revoked_at is not null")
                .execute(Tuple.of((Object) ids))
                .map(rows -> {
                    List<String> revoked = new ArrayList<>();
                    for (Row row : rows) {
                        revoked.add(row.getString(0));
                    }
                    return revoked;
                });
    }

    public Uni<Boolean> usernameTaken(String username) {
        return count("lower(username) = lower(?1)", username).map(n -> n > 0);
    }
}

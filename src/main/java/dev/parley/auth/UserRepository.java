package dev.parley.auth;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class UserRepository implements PanacheRepositoryBase<User, String> {

    public Uni<User> findByUsername(String username) {
        return find("lower(username) = lower(?1)", username).firstResult();
    }

    public Uni<User> findByIssuerAndSubject(String issuer, String subject) {
        return find("issuer = ?1 and subject = ?2", issuer, subject).firstResult();
    }

    public Uni<Boolean> usernameTaken(String username) {
        return count("lower(username) = lower(?1)", username).map(n -> n > 0);
    }
}

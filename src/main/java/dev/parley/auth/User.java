package dev.parley.auth;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A person or a bot. Built-in accounts have a password hash; Keycloak users and bots do not. */
@Entity
@Table(name = "users")
public class User extends PanacheEntityBase {

    public static final String KIND_USER = "user";
    public static final String KIND_BOT = "bot";

    @Id
    @Column(length = 36)
    public String id;

    @Column(nullable = false, length = 64)
    public String username;

    @Column(name = "display_name", length = 128)
    public String displayName;

    @Column(name = "password_hash", length = 100)
    public String passwordHash;

    @Column(nullable = false, length = 8)
    public String kind;

    @Column(nullable = false)
    public String issuer;

    @Column(nullable = false)
    public String subject;

    @Column(name = "owner_id", length = 36)
    public String ownerId;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    /** When a bot was revoked by its owner; its token names nobody from then on. */
    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;

    /** Where a bot's new messages are POSTed, if anywhere. */
    @Column(name = "webhook_url", length = 2048)
    public String webhookUrl;

    /** The key a bot's webhook deliveries are signed with (HMAC-SHA256). */
    @Column(name = "webhook_secret", length = 64)
    public String webhookSecret;

    /** The name shown to others: the display name, or the username when none is set. */
    public String shownName() {
        return displayName == null || displayName.isBlank() ? username : displayName;
    }
}

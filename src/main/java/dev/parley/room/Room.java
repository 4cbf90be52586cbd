package dev.parley.room;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

@Entity
@Table(name = "rooms")
public class Room extends PanacheEntityBase {

    public static final String PUBLIC = "public";
    public static final String PRIVATE = "private";
    public static final String DIRECT = "direct";

    @Id
    @Column(length = 36)
    public String id;

    @Column(nullable = false, length = 100)
    public String name;

    @Column(nullable = false, length = 8)
    public String visibility;

    @Column(length = 500)
    public String topic;

    @Column(name = "dm_key", length = 80)
    public String dmKey;

    @Column(name = "created_by", length = 36)
    public String createdBy;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    /** Written only by the message write path, which bumps it in SQL; read here for views. */
    @Column(name = "last_seq", nullable = false)
    public long lastSeq;

    public boolean isPublic() {
        return PUBLIC.equals(visibility);
    }
}

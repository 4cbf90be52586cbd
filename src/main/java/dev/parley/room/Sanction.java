package dev.parley.room;

import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;

/** A ban or a mute of a user in a room, in force until {@code until} (a ban without one: until lifted). */
@Entity
@Table(name = "sanctions")
@IdClass(Sanction.Key.class)
public class Sanction extends PanacheEntityBase {

    public static final String BAN = "ban";
    public static final String MUTE = "mute";

    @Id
    @Column(name = "room_id", length = 36)
    public String roomId;

    @Id
    @Column(name = "user_id", length = 36)
    public String userId;

    @Id
    @Column(length = 4)
    public String kind;

    @Column(length = 500)
    public String reason;

    public OffsetDateTime until;

    @Column(name = "created_by", length = 36)
    public String createdBy;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    public boolean inForce(OffsetDateTime now) {
        return until == null || until.isAfter(now);
    }

    /** The user's sanctions in the room that are in force now, by kind. */
    static Uni<Facts> inForce(String roomId, String userId) {
        return Sanction.<Sanction>list("roomId = ?1 and userId = ?2", roomId, userId).map(found -> Facts.of(found, OffsetDateTime.now()));
    }

    /** Whether a user is banned from and muted in a room now. */
    record Facts(boolean banned, boolean muted) {
        static final Facts NONE = new Facts(false, false);

        static Facts of(List<Sanction> sanctions, OffsetDateTime now) {
            boolean banned = false;
            boolean muted = false;
            for (Sanction s : sanctions) {
                if (s.inForce(now)) {
                    banned |= BAN.equals(s.kind);
                    muted |= MUTE.equals(s.kind);
                }
            }
            return new Facts(banned, muted);
        }
    }

    public static class Key implements Serializable {
        public String roomId;
        public String userId;
        public String kind;

        public Key() {
        }

        public Key(String roomId, String userId, String kind) {
            this.roomId = roomId;
            this.userId = userId;
            this.kind = kind;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(roomId, k.roomId) && Objects.equals(userId, k.userId)
                    && Objects.equals(kind, k.kind);
        }

        @Override
        public int hashCode() {
            return Objects.hash(roomId, userId, kind);
        }
    }
}

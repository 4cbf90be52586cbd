package dev.parley.room;

import java.util.Locale;

import dev.parley.problem.ParleyException;

/** A member's role in a room. Owners and admins manage members; only the owner deletes the room. */
public enum Role {
    OWNER, ADMIN, MEMBER;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean canManageMembers() {
        return this == OWNER || this == ADMIN;
    }

    public static Role of(String wire) {
        return wire == null ? null : valueOf(wire.toUpperCase(Locale.ROOT));
    }

    public static Role parse(String wire) {
        if (wire == null) {
            return MEMBER;
        }
        for (Role r : values()) {
            if (r.wire().equals(wire)) {
                return r;
            }
        }
        throw ParleyException.badRequest("role must be owner, admin or member");
    }
}

package dev.parley.room;

import dev.parley.problem.ParleyException;

/**
 * The one decision on what a user may do in a room, made from the facts read together with it: the
 * room's visibility (null: there is no such room), the user's role (null: not a member) and whether
 * a ban or a mute of the user is in force there. Every path that reads, writes, subscribes or
 * manages members asks here, whatever query found the facts.
 */
public record RoomAccess(String roomId, String visibility, Role role, boolean banned, boolean muted) {

    /** The facts for a room that does not exist. */
    public static RoomAccess noSuchRoom(String roomId) {
        return new RoomAccess(roomId, null, null, false, false);
    }

    public boolean exists() {
        return visibility != null;
    }

    public boolean isPublic() {
        return Room.PUBLIC.equals(visibility);
    }

    public boolean isDirect() {
        return Room.DIRECT.equals(visibility);
    }

    public boolean isMember() {
        return role != null;
    }

    /** Public rooms are readable by every user not banned from them; private rooms by members only. */
    public boolean canRead() {
        return exists() && !banned && (isPublic() || isMember());
    }

    /** Refuses a reader who may not see the room: history, the room itself, live events. */
    public void requireRead() {
        if (!exists()) {
            throw ParleyException.notFound("no such room");
        }
        if (banned) {
            throw ParleyException.forbidden("banned from this room");
        }
        if (!canRead()) {
            throw ParleyException.forbidden("not a member of this private room");
        }
    }

    /**
     * Refuses a sender or subscriber who may not take part; returns true when taking part makes the
     * user a member (a public room they had not joined yet).
     */
    public boolean requireTakePart() {
        requireRead();
        return !isMember();
    }

    /**
     * Refuses a change that speaks in the room (a send, an edit, a reaction) from someone who may not
     * take part or is muted; returns true when it makes the user a member, as {@link #requireTakePart}.
     */
    public boolean requireSpeak() {
        boolean joins = requireTakePart();
        if (muted) {
            throw ParleyException.forbidden("muted in this room");
        }
        return joins;
    }

    /**
     * Refuses a ban or a mute the caller may not give or lift: owners and admins moderate, nobody
     * the owner, and only the owner an admin. {@code target} is the user's role now (null: not a
     * member, e.g. someone kept out of a public room before they join).
     */
    public void requireModerate(Role target) {
        requireNotDirect();
        requireMember();
        if (!role.canManageMembers()) {
            throw ParleyException.forbidden("only the owner or an admin bans or mutes");
        }
        if (target == Role.OWNER) {
            throw ParleyException.forbidden("the owner cannot be banned or muted");
        }
        if (target == Role.ADMIN && role != Role.OWNER) {
            throw ParleyException.forbidden("only the owner bans or mutes an admin");
        }
    }

    /** Whether {@code user} may delete a message of {@code author}: their own, or anyone's as owner or admin. */
    public boolean mayDeleteMessageOf(String author, String user) {
        return author.equals(user) || role != null && role.canManageMembers();
    }

    /** Refuses anyone but the room's owner. */
    public void requireOwner(String why) {
        requireRead();
        if (role != Role.OWNER) {
            throw ParleyException.forbidden(why);
        }
    }

    /**
     * Refuses an invitation or a role change the caller may not make. {@code current} is the
     * invitee's role now (null: not a member), {@code wanted} the role asked for (null: keep it, or
     * member for a newcomer). Owners and admins invite; only the owner grants or takes away admin;
     * the owner's role never changes.
     */
    public void requireGrant(Role current, Role wanted) {
        requireNotDirect();
        requireManageMembers();
        if (wanted == Role.OWNER) {
            throw ParleyException.forbidden("a room has one owner");
        }
        if (wanted == null || wanted == current) {
            return;
        }
        if (current == Role.OWNER) {
            throw ParleyException.forbidden("the owner's role does not change");
        }
        if ((wanted == Role.ADMIN || current == Role.ADMIN) && role != Role.OWNER) {
            throw ParleyException.forbidden("only the owner grants or takes away admin");
        }
    }

    /**
     * Refuses a removal the caller may not make: anyone may leave, owners and admins remove members,
     * only the owner removes an admin, and the owner can be neither removed nor leave. Whether the
     * caller may remove others at all is asked first, so a plain member learns nothing of the target.
     */
    public void requireRemove(Role target, boolean self) {
        requireNotDirect();
        requireMember();
        if (!self && !role.canManageMembers()) {
            throw ParleyException.forbidden("only the owner or an admin removes members");
        }
        if (target == null) {
            throw ParleyException.notFound("not a member of this room");
        }
        if (target == Role.OWNER) {
            throw ParleyException.conflict("the owner cannot leave or be removed; delete the room instead");
        }
        if (self) {
            return;
        }
        if (target == Role.ADMIN && role != Role.OWNER) {
            throw ParleyException.forbidden("only the owner removes an admin");
        }
    }

    // A direct room has exactly its two members, for good.
    private void requireNotDirect() {
        requireRead();
        if (isDirect()) {
            throw ParleyException.forbidden("a direct room has exactly its two members");
        }
    }

    /** Refuses anyone who is not a member of the room. */
    public void requireMember() {
        requireRead();
        if (!isMember()) {
            throw ParleyException.forbidden("not a member of this room");
        }
    }

    /** Refuses anyone but the room's owner and admins. */
    public void requireManageMembers() {
        requireMember();
        if (!role.canManageMembers()) {
            throw ParleyException.forbidden("only the owner or an admin manages members");
        }
    }
}

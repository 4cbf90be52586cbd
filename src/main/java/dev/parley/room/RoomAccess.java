package dev.parley.room;

/** What the caller may do in a room: its visibility and the caller's role (null: not a member). */
public record RoomAccess(String roomId, boolean isPublic, Role role) {

    public boolean isMember() {
        return role != null;
    }

    /** Public rooms are readable by every user; private rooms by members only. */
    public boolean canRead() {
        return isPublic || isMember();
    }
}

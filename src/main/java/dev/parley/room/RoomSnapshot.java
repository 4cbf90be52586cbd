package dev.parley.room;

/** A room as a subscriber finds it: the caller's access, the room's newest seq and the caller's unread counts, read together. */
public record RoomSnapshot(RoomAccess access, long lastSeq, long readSeq, long unread, long mentions) {
}

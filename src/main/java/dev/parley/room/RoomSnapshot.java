package dev.parley.room;

/** A room as a subscriber finds it: the caller's access and the room's newest seq, read together. */
public record RoomSnapshot(RoomAccess access, long lastSeq) {
}

package dev.parley.room;

/** A room as the caller sees it: {@code role} is the caller's role or null, {@code unread} their unread count. */
public record RoomView(String id, String name, String visibility, String topic, String createdAt, long lastSeq,
        String role, long unread) {
}

package dev.parley.room;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A room as the caller sees it: {@code role} is the caller's role or null; {@code readSeq} their read
 * marker; {@code unread} the messages by others after it that are not deleted, {@code mentions} those
 * of them that mention the caller (both 0 for non-members).
 */
@Schema(name = "Room")
public record RoomView(String id, String name, String visibility, String topic, String createdAt, long lastSeq,
        String role, long readSeq, long unread, long mentions) {
}

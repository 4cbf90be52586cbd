package dev.parley.message;

/** A file carried by a message, as every message shape shows it; the bytes are at {@code GET /api/attachments/{id}}. */
public record AttachmentView(String id, String name, long size, String contentType) {
}

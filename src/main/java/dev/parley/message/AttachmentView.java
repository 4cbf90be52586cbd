package dev.parley.message;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A file carried by a message, as every message shape shows it; the bytes are at {@code GET /api/attachments/{id}}. */
@Schema(name = "Attachment")
public record AttachmentView(String id, String name, long size, String contentType) {
}

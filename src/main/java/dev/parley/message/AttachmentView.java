package dev.parley.message;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A file carried by a message, as every message shape shows it; the bytes are at
 * {@code GET /api/attachments/{id}}. Registered for reflection for the native image: events and
 * webhook bodies carry it whether or not a REST signature still does.
 */
@RegisterForReflection
@Schema(name = "Attachment")
public record AttachmentView(String id, String name, long size, String contentType) {
}

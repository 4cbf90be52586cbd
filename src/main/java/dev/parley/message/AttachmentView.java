package dev.parley.message;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A file carried by a message, as every message shape shows it; the bytes are at
 * {@code GET /api/attachments/{id}}. Registered for reflection for the native image: events and
 * webhook bodies carry it whether or not a REST signature still does.
 */
@RegisterForReflection
public record AttachmentView(String id, String name, long size, String contentType) {
}

package dev.parley.attachment;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.file.AsyncFile;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Where attachments' bytes live. The metadata (the {@code attachments} row, with the storage key) is
 * always in PostgreSQL; an implementation keeps the bytes under that key. {@link PostgresStorage} is
 * the default; an object store would implement the same three operations (and delete its objects
 * whose metadata row is gone, since a message's deletion removes the row in its own transaction).
 */
public interface AttachmentStorage {

    /**
     * Stores {@code size} bytes read from {@code file} under {@code key}, inside {@code tx} (the
     * transaction that inserts the metadata row) where the store can take part in it.
     */
    Uni<Void> write(SqlConnection tx, String key, AsyncFile file, long size);

    /** The bytes stored under {@code key}, in order, a piece at a time. */
    Multi<Buffer> read(String key, long size);
}

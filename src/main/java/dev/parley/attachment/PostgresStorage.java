package dev.parley.attachment;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.file.AsyncFile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Attachments' bytes in PostgreSQL, in chunks of {@value #CHUNK} bytes (attachment_chunks, V9); the key is the attachment id. */
@ApplicationScoped
public class PostgresStorage implements AttachmentStorage {

    static final int CHUNK = 256 * 1024;

    private final Pool pool;

    public PostgresStorage(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<Void> write(SqlConnection tx, String key, AsyncFile file, long size) {
        return writeFrom(tx, key, file, size, 0);
    }

    // One chunk read, then written, then the next: one chunk in memory at a time.
    private Uni<Void> writeFrom(SqlConnection tx, String key, AsyncFile file, long size, int n) {
        long position = (long) n * CHUNK;
        if (position >= size) {
            return Uni.createFrom().voidItem();
        }
        int length = (int) Math.min(CHUNK, size - position);
        return file.read(Buffer.buffer(length), 0, position, length)
                .chain(bytes -> tx.preparedQuery("insert into attachment_chunks (attachment_id, n, data) values ($1, $2, $3)")
                        .execute(Tuple.of(key, n, bytes.getDelegate())))
                .chain(() -> writeFrom(tx, key, file, size, n + 1));
    }

    @Override
    public Multi<Buffer> read(String key, long size) {
        int chunks = (int) ((size + CHUNK - 1) / CHUNK);
        return Multi.createFrom().range(0, chunks)
                .onItem().transformToUniAndConcatenate(n -> pool
                        .preparedQuery("select data from attachment_chunks where attachment_id = $1 and n = $2")
                        .execute(Tuple.of(key, n))
                        .map(rows -> rows.iterator().next().getBuffer(0)));
    }
}

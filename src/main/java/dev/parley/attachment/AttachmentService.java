package dev.parley.attachment;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.file.OpenOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.file.AsyncFile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.parley.auth.UserView;
import dev.parley.config.ParleyConfig;
import dev.parley.limit.ActionLimits;
import dev.parley.message.AttachmentView;
import dev.parley.message.MessageService;
import dev.parley.message.Sent;
import dev.parley.problem.ParleyException;
import dev.parley.room.RoomAccess;
import dev.parley.room.RoomRepository;
import dev.parley.wire.ControlCharacters;

/**
 * Files posted to rooms. An upload is checked (size, the caller's right to speak in the room),
 * its content type is sniffed from its first bytes ({@link ImageSniffer}; the client's claim is ignored) and
 * recorded as {@link AttachmentTypes} decides, its name cleaned by {@link AttachmentNames},
 * its bytes and metadata are stored in one transaction, and then it is posted as a message carrying
 * it, through the room log like any send. A send that is refused, or a retry answered with the
 * message stored before, leaves no file behind. The file is served to whoever may read its room, as
 * long as its message is not deleted (deleting the message deletes the file).
 */
@ApplicationScoped
public class AttachmentService {

    private final Pool pool;
    private final Vertx vertx;
    private final AttachmentStorage storage;
    private final RoomRepository rooms;
    private final MessageService messages;
    private final long sizeLimit;
    private final ActionLimits actionLimits;

    public AttachmentService(Pool pool, Vertx vertx, AttachmentStorage storage, RoomRepository rooms, MessageService messages,
            ParleyConfig config, ActionLimits actionLimits) {
        this.pool = pool;
        this.actionLimits = actionLimits;
        this.vertx = vertx;
        this.storage = storage;
        this.rooms = rooms;
        this.messages = messages;
        this.sizeLimit = config.limits().attachmentSize();
    }

    /** An uploaded file on disk, as the HTTP layer left it. */
    public record Upload(String path, String fileName, long size) {
    }

    public Uni<Sent> post(UserView caller, String roomId, Upload upload, String text, String clientMsgId) {
        if (upload == null) {
            return Uni.createFrom().failure(ParleyException.badRequest("file is required"));
        }
        if (upload.size() > sizeLimit) {
            return Uni.createFrom().failure(ParleyException.tooLarge("the file exceeds " + sizeLimit + " bytes"));
        }
        if (upload.size() == 0) {
            return Uni.createFrom().failure(ParleyException.badRequest("the file is empty"));
        }
        if (upload.fileName() != null && ControlCharacters.in(upload.fileName())) {
            return Uni.createFrom().failure(ParleyException.badRequest("the file name must not contain control characters"));
        }
        String name = AttachmentNames.clean(upload.fileName());
        String id = UUID.randomUUID().toString();
        // a retry that finds its message stored (created false) uploaded nothing new: not counted
        return actionLimits.counted(ActionLimits.Action.ATTACHMENT, caller.id(),
                () -> store(caller, roomId, id, name, upload, text, clientMsgId), Sent::created);
    }

    private Uni<Sent> store(UserView caller, String roomId, String id, String name, Upload upload, String text,
            String clientMsgId) {
        // refused before anything is stored; the send decides again, under the room's lock
        return rooms.access(caller.id(), roomId).invoke(RoomAccess::requireSpeak)
                .chain(() -> vertx.fileSystem().open(upload.path(), new OpenOptions().setRead(true)))
                .chain(file -> store(caller, roomId, id, name, file, upload.size()).eventually(file::close))
                .chain(attachment -> messages.sendWithAttachment(caller, roomId, text, clientMsgId, attachment)
                        .onFailure().call(() -> discard(id))
                        .call(sent -> sent.created() ? Uni.createFrom().voidItem() : discard(id)));
    }

    private Uni<AttachmentView> store(UserView caller, String roomId, String id, String name, AsyncFile file, long size) {
        int head = (int) Math.min(ImageSniffer.HEAD, size);
        return file.read(Buffer.buffer(head), 0, 0, head)
                .map(bytes -> AttachmentTypes.recorded(ImageSniffer.type(bytes.getBytes())))
                .chain(type -> pool.withTransaction(tx -> tx.preparedQuery("""
                        insert into attachments (id, room_id, uploader_id, name, content_type, size, storage_key, created_at)
                        values ($1, $2, $3, $4, $5, $6, $1, $7)""")
                        .execute(Tuple.from(new Object[] { id, roomId, caller.id(), name, type, size,
                                OffsetDateTime.now(ZoneOffset.UTC) }))
                        .chain(() -> storage.write(tx, id, file, size)))
                        .replaceWith(new AttachmentView(id, name, size, type)));
    }

    private Uni<Void> discard(String id) {
        return pool.preparedQuery("delete from attachments where id = $1").execute(Tuple.of(id)).replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    /** A file as served: its metadata and its bytes. */
    public record Download(AttachmentView attachment, boolean inline, Multi<Buffer> bytes) {
    }

    /**
     * The file, for whoever may read its room while its message stands; {@code not_found} for anyone
     * else (so as not to tell that it exists).
     */
    public Uni<Download> open(UserView caller, String id) {
        return pool.preparedQuery("""
                select a.id, a.name, a.size, a.content_type, a.storage_key, m.room_id
                  from attachments a join messages m on m.attachment_id = a.id and not m.deleted
                 where a.id = $1""")
                .execute(Tuple.of(id))
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw ParleyException.notFound("no such attachment");
                    }
                    Row row = rows.iterator().next();
                    return rooms.access(caller.id(), row.getString("room_id")).map(access -> {
                        if (!access.canRead()) {
                            throw ParleyException.notFound("no such attachment");
                        }
                        AttachmentView view = new AttachmentView(row.getString("id"), row.getString("name"), row.getLong("size"),
                                row.getString("content_type"));
                        return new Download(view, AttachmentTypes.inline(view.contentType()),
                                storage.read(row.getString("storage_key"), view.size()));
                    });
                });
    }
}

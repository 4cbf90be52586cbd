package dev.parley.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A message committed the way Parley's own append does it (the room's next seq and message ordinal,
 * the creator's ordinal), without its publish: what an instance leaves behind when it dies between
 * commit and publish.
 */
public final class UnpublishedCommits {

    private UnpublishedCommits() {
    }

    /** Commits a message of the room's creator on {@code db} and returns its seq. */
    public static long commit(Connection db, String room, String clientMsgId) throws SQLException {
        db.setAutoCommit(false);
        long seq;
        long ord;
        try (PreparedStatement bump = db.prepareStatement("update rooms set last_seq = last_seq + 1, "
                + "message_count = message_count + 1 where id = ? returning last_seq, message_count")) {
            bump.setString(1, room);
            try (ResultSet rows = bump.executeQuery()) {
                rows.next();
                seq = rows.getLong(1);
                ord = rows.getLong(2);
            }
        }
        try (PreparedStatement insert = db.prepareStatement("insert into messages (room_id, seq, sender_id, text, "
                + "client_msg_id, ord, sender_ord) select r.id, ?, r.created_by, 'committed, never published', ?, ?, "
                + "coalesce((select max(sender_ord) from messages x where x.room_id = r.id and x.sender_id = r.created_by), 0) + 1 "
                + "from rooms r where r.id = ?")) {
            insert.setLong(1, seq);
            insert.setString(2, clientMsgId);
            insert.setLong(3, ord);
            insert.setString(4, room);
            insert.executeUpdate();
        }
        db.commit();
        return seq;
    }
}

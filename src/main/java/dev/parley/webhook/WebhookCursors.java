package dev.parley.webhook;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The {@code webhook_cursors} table (V10): per bot with a webhook and room it is in, how far the
 * room's log has been delivered, and which instance holds the lease to deliver the rest. Every
 * change made by a lease holder names it, so an instance that lost its lease (it was too slow, or
 * the bot left the room) changes nothing.
 */
@ApplicationScoped
public class WebhookCursors {

    private final Pool pool;

    public WebhookCursors(Pool pool) {
        this.pool = pool;
    }

    /** A cursor claimed for delivery, with what it takes to deliver. */
    public record Claim(String bot, String room, long deliveredSeq, int attempts, OffsetDateTime failingSince, long lastSeq,
            String url, String secret) {
    }

    /**
     * Starts a cursor for every membership of a bot with a webhook that has none, at the last message
     * sent before the bot joined (what was said before it came is not its to receive), and drops the
     * cursors of bots that left, lost their webhook or were revoked.
     */
    public Uni<Void> sync() {
        return pool.query("""
                delete from webhook_cursors c
                 where not exists (select 1 from memberships m where m.room_id = c.room_id and m.user_id = c.bot_id)
                    or exists (select 1 from users u where u.id = c.bot_id and (u.revoked_at is not null or u.webhook_url is null))
                """).execute()
                .chain(() -> pool.query("""
                        insert into webhook_cursors (bot_id, room_id, delivered_seq)
                        select m.user_id, m.room_id,
                               coalesce((select max(x.seq) from messages x where x.room_id = m.room_id and x.created_at < m.joined_at), 0)
                          from memberships m join users u on u.id = m.user_id
                         where u.webhook_url is not null and u.revoked_at is null
                           and not exists (select 1 from webhook_cursors c where c.bot_id = m.user_id and c.room_id = m.room_id)
                        on conflict do nothing
                        """).execute())
                .replaceWithVoid();
    }

    /**
     * Leases up to {@code limit} cursors whose room has entries past them and whose next attempt is
     * due, to {@code owner} for {@code leaseMillis}; another instance's live lease is skipped.
     */
    public Uni<List<Claim>> claim(String owner, int limit, long leaseMillis) {
        return pool.preparedQuery("""
                with due as (
                    select c.bot_id, c.room_id, r.last_seq
                      from webhook_cursors c join rooms r on r.id = c.room_id
                     where r.last_seq > c.delivered_seq and c.next_attempt_at <= now()
                       and (c.lease_until is null or c.lease_until < now())
                     order by c.next_attempt_at
                     limit $2
                       for update of c skip locked)
                update webhook_cursors c
                   set lease_owner = $1, lease_until = now() + $3::int8 * interval '1 millisecond'
                  from due d join users u on u.id = d.bot_id
                 where c.bot_id = d.bot_id and c.room_id = d.room_id and u.webhook_url is not null
                returning c.bot_id, c.room_id, c.delivered_seq, c.attempts, c.failing_since, d.last_seq, u.webhook_url,
                          u.webhook_secret
                """).execute(Tuple.of(owner, limit, leaseMillis)).map(rows -> {
                    List<Claim> claims = new ArrayList<>();
                    for (Row r : rows) {
                        claims.add(new Claim(r.getString(0), r.getString(1), r.getLong(2), r.getInteger(3),
                                r.getOffsetDateTime(4), r.getLong(5), r.getString(6), r.getString(7)));
                    }
                    return claims;
                });
    }

    /**
     * Everything up to {@code seq} is delivered (or given up): the failure count starts again and the
     * lease is renewed; false when the lease is no longer {@code owner}'s.
     */
    public Uni<Boolean> advance(Claim claim, long seq, String owner, long leaseMillis) {
        return pool.preparedQuery("""
                update webhook_cursors
                   set delivered_seq = greatest(delivered_seq, $3), attempts = 0, failing_since = null, last_error = null,
                       lease_until = now() + $5::int8 * interval '1 millisecond'
                 where bot_id = $1 and room_id = $2 and lease_owner = $4
                """).execute(Tuple.of(claim.bot(), claim.room(), seq, owner, leaseMillis)).map(rows -> rows.rowCount() == 1);
    }

    /** A delivery failed: the next attempt is due after {@code delayMillis}, and the lease is let go. */
    public Uni<Void> failed(Claim claim, String error, long delayMillis, String owner) {
        return pool.preparedQuery("""
                update webhook_cursors
                   set attempts = attempts + 1, failing_since = coalesce(failing_since, now()), last_error = left($3, 500),
                       next_attempt_at = now() + $4::int8 * interval '1 millisecond', lease_owner = null, lease_until = null
                 where bot_id = $1 and room_id = $2 and lease_owner = $5
                """).execute(Tuple.of(claim.bot(), claim.room(), error, delayMillis, owner)).replaceWithVoid();
    }

    /** Done for now: the lease is let go, for whichever instance sees the next entries first. */
    public Uni<Void> release(Claim claim, String owner) {
        return pool.preparedQuery("""
                update webhook_cursors set lease_owner = null, lease_until = null
                 where bot_id = $1 and room_id = $2 and lease_owner = $3
                """).execute(Tuple.of(claim.bot(), claim.room(), owner)).replaceWithVoid();
    }
}

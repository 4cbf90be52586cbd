-- Outgoing webhooks. A bot may have a webhook URL and the secret its deliveries are signed with (the
-- service must know the secret to sign, so it is kept as issued; it is shown to the owner once).
alter table users add column webhook_url varchar(2048);
alter table users add column webhook_secret varchar(64);

-- One row per (bot with a webhook, room it is a member of): how far that room's log has been
-- delivered to the bot. Delivery reads the log itself after delivered_seq, so a send writes nothing
-- here and a dead endpoint costs the senders nothing. An instance claims a row with a lease
-- (skip locked): one instance at a time delivers a bot's messages of a room, in seq order.
create table webhook_cursors (
    bot_id           varchar(36)  not null references users (id) on delete cascade,
    room_id          varchar(36)  not null references rooms (id) on delete cascade,
    delivered_seq    bigint       not null,
    -- failed attempts at the message after delivered_seq, since failing_since
    attempts         int          not null default 0,
    failing_since    timestamptz,
    last_error       varchar(500),
    next_attempt_at  timestamptz  not null default now(),
    lease_owner      varchar(64),
    lease_until      timestamptz,
    primary key (bot_id, room_id)
);
create index webhook_cursors_room_idx on webhook_cursors (room_id);

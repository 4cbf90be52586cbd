-- Bots are users of kind 'bot' owned by the user who made them (users.owner_id). Their tokens do not
-- expire; revoking a bot sets revoked_at, after which its token no longer names a user (401) and its
-- open sockets are closed. The row stays: the bot's messages keep their author.
alter table users add column revoked_at timestamptz;
create index users_owner_idx on users (owner_id) where owner_id is not null;

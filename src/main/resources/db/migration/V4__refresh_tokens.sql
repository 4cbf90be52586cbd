-- Refresh tokens of built-in accounts: opaque, stored as their SHA-256 only. Each login starts a
-- chain; a refresh rotates the token (the old one is marked, a new one joins the chain). A rotated
-- token presented again means it was copied: the whole chain is revoked.
create table refresh_tokens (
    token_hash bytea        primary key,
    chain_id   varchar(36)  not null,
    user_id    varchar(36)  not null references users (id) on delete cascade,
    created_at timestamptz  not null default now(),
    expires_at timestamptz  not null,
    rotated_at timestamptz,
    revoked_at timestamptz
);

create index refresh_tokens_chain_idx on refresh_tokens (chain_id);
create index refresh_tokens_user_idx on refresh_tokens (user_id);

-- Parley schema, designed for the whole contract of DESIGN.md.
-- Ids are opaque strings on the wire; they are UUIDs stored as text so that callers never rely on shape.

create table users (
    id            varchar(36)  primary key,
    username      varchar(64)  not null,
    display_name  varchar(128),
    -- bcrypt hash; null for users who only ever sign in through an external OIDC provider, and for bots
    password_hash varchar(100),
    kind          varchar(8)   not null default 'user' check (kind in ('user', 'bot')),
    -- where the identity comes from: our own issuer for built-in accounts and bots, the realm's for Keycloak
    issuer        varchar(255) not null,
    subject       varchar(255) not null,
    owner_id      varchar(36)  references users (id) on delete cascade,
    created_at    timestamptz  not null default now(),
    constraint users_issuer_subject_key unique (issuer, subject)
);
-- Usernames are case-insensitive identities (register lowercases them; external names are folded too).
create unique index users_username_key on users (lower(username));

create table rooms (
    id          varchar(36)  primary key,
    name        varchar(100) not null,
    visibility  varchar(8)   not null check (visibility in ('public', 'private')),
    topic       varchar(500),
    -- the two member ids of a direct-message room, sorted and joined: makes "create DM" idempotent
    dm_key      varchar(80)  unique,
    created_by  varchar(36)  references users (id) on delete set null,
    created_at  timestamptz  not null default now(),
    -- the highest seq handed out in this room; bumped in the same transaction that inserts messages
    last_seq    bigint       not null default 0
);
create unique index rooms_public_name_key on rooms (lower(name)) where visibility = 'public';

create table memberships (
    room_id    varchar(36) not null references rooms (id) on delete cascade,
    user_id    varchar(36) not null references users (id) on delete cascade,
    role       varchar(8)  not null check (role in ('owner', 'admin', 'member')),
    joined_at  timestamptz not null default now(),
    primary key (room_id, user_id)
);
create index memberships_user_idx on memberships (user_id);

create table attachments (
    id            varchar(36)  primary key,
    room_id       varchar(36)  not null references rooms (id) on delete cascade,
    uploader_id   varchar(36)  not null references users (id) on delete cascade,
    name          varchar(255) not null,
    content_type  varchar(255) not null,
    size          bigint       not null check (size >= 0),
    -- where the bytes live depends on the configured storage; the database store keeps them here
    storage_key   varchar(255) not null,
    content       bytea,
    created_at    timestamptz  not null default now()
);
create index attachments_room_idx on attachments (room_id);

create table messages (
    room_id        varchar(36)  not null references rooms (id) on delete cascade,
    seq            bigint       not null check (seq > 0),
    sender_id      varchar(36)  not null references users (id),
    text           text         not null,
    client_msg_id  varchar(64),
    created_at     timestamptz  not null default now(),
    edited_at      timestamptz,
    deleted        boolean      not null default false,
    attachment_id  varchar(36)  references attachments (id) on delete set null,
    -- gapless per-room order: one row per (room, seq)
    primary key (room_id, seq),
    -- safe retries: a client message id is stored once per sender and room
    constraint messages_client_msg_id_key unique (room_id, sender_id, client_msg_id)
);

create table reactions (
    room_id     varchar(36) not null,
    seq         bigint      not null,
    user_id     varchar(36) not null references users (id) on delete cascade,
    emoji       varchar(64) not null,
    created_at  timestamptz not null default now(),
    primary key (room_id, seq, user_id, emoji),
    foreign key (room_id, seq) references messages (room_id, seq) on delete cascade
);

create table read_markers (
    room_id     varchar(36) not null references rooms (id) on delete cascade,
    user_id     varchar(36) not null references users (id) on delete cascade,
    seq         bigint      not null check (seq >= 0),
    updated_at  timestamptz not null default now(),
    primary key (room_id, user_id)
);

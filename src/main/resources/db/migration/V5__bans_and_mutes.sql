-- Bans and mutes: one row per (room, user, kind), replaced when the sanction is given again. A row
-- whose `until` has passed is no longer in force (every check compares with now()), so expiring
-- needs no job; lifting deletes the row.
create table sanctions (
    room_id     varchar(36)  not null references rooms (id) on delete cascade,
    user_id     varchar(36)  not null references users (id) on delete cascade,
    kind        varchar(4)   not null check (kind in ('ban', 'mute')),
    reason      varchar(500),
    until       timestamptz,
    created_by  varchar(36)  references users (id) on delete set null,
    created_at  timestamptz  not null default now(),
    primary key (room_id, user_id, kind),
    -- a mute always ends; a ban without an end lasts until lifted
    constraint sanctions_mute_ends check (kind = 'ban' or until is not null)
);
create index sanctions_user_idx on sanctions (user_id);

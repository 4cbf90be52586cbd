-- The room log beyond messages: every edit, deletion and reaction change is an entry of its own, with
-- the room's next seq (rooms.last_seq counts messages and these entries alike; each seq is in exactly
-- one of the two tables). The message itself keeps only its current state: superseded texts are not
-- kept, a deleted message keeps no text.
create table log_entries (
    room_id      varchar(36) not null references rooms (id) on delete cascade,
    seq          bigint      not null check (seq > 0),
    kind         varchar(8)  not null check (kind in ('edit', 'delete', 'reaction')),
    -- the seq of the message the entry acts on
    target       bigint      not null,
    user_id      varchar(36) not null references users (id),
    emoji        varchar(64),
    reaction_on  boolean,
    created_at   timestamptz not null default now(),
    primary key (room_id, seq),
    check ((kind = 'reaction') = (emoji is not null and reaction_on is not null))
);

-- replies: the seq of a message of the same room; threads are listed by it
alter table messages add column reply_to bigint;
create index messages_reply_to_idx on messages (room_id, reply_to, seq) where reply_to is not null;

-- mentions: the ids of the room's members named as @username in the current text
alter table messages add column mentions varchar(36)[];

-- direct rooms: exactly two members, found again by dm_key (the two user ids, sorted and joined)
alter table rooms drop constraint rooms_visibility_check;
alter table rooms add constraint rooms_visibility_check check (visibility in ('public', 'private', 'direct'));

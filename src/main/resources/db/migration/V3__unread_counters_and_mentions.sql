-- Unread counts without scanning the log: each message carries its ordinal among the room's messages
-- (ord) and among its sender's messages in the room (sender_ord), and rooms count their messages, so
-- "messages by others after my read marker" takes a few index lookups however long the room is:
--   unread = message_count - ord at the marker - (my messages - mine at the marker) - others' deleted after it
alter table rooms add column message_count bigint not null default 0;
alter table messages add column ord bigint;
alter table messages add column sender_ord bigint;
update messages m set ord = x.ord, sender_ord = x.sender_ord
  from (select room_id, seq,
               row_number() over (partition by room_id order by seq) as ord,
               row_number() over (partition by room_id, sender_id order by seq) as sender_ord
          from messages) x
 where m.room_id = x.room_id and m.seq = x.seq;
update rooms r set message_count = (select count(*) from messages m where m.room_id = r.id);
alter table messages alter column ord set not null;
alter table messages alter column sender_ord set not null;
create index messages_sender_seq_idx on messages (room_id, sender_id, seq);
create index messages_deleted_idx on messages (room_id, seq) where deleted;

-- Who a message mentions, indexed by the mentioned user: their unread mentions are counted here.
-- Rows follow the current text (an edit replaces them, a deletion removes them).
create table mentions (
    user_id  varchar(36) not null references users (id) on delete cascade,
    room_id  varchar(36) not null,
    seq      bigint      not null,
    primary key (user_id, room_id, seq),
    foreign key (room_id, seq) references messages (room_id, seq) on delete cascade
);
insert into mentions (user_id, room_id, seq)
select distinct unnest(mentions), room_id, seq from messages where mentions is not null and not deleted;

-- Unread counts without scanning the log: each message carries its ordinal among the room's messages
-- (ord) and among its sender's messages in the room (sender_ord); rooms count their messages,
-- memberships the messages their member sent, and a read marker remembers both ordinals at the
-- marker. So "messages by others after my marker, not deleted" is arithmetic on counters plus a
-- count of the (few) deleted messages after the marker, however long the room is:
--   unread = message_count - ord_at - (sent_count - own_at) - others' deleted messages after the marker
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
-- (No index on (room_id, sender_id, seq): PostgreSQL then chose it over the clientMsgId key for the
-- retry lookup of every batch, scanning each sender's messages: ingest fell tenfold.)
alter table memberships add column sent_count bigint not null default 0;
update memberships m set sent_count = (select count(*) from messages x where x.room_id = m.room_id and x.sender_id = m.user_id);
alter table read_markers add column ord_at bigint not null default 0;
alter table read_markers add column own_at bigint not null default 0;
update read_markers rm set
    ord_at = coalesce((select x.ord from messages x where x.room_id = rm.room_id and x.seq <= rm.seq
                        order by x.seq desc limit 1), 0),
    own_at = (select count(*) from messages x where x.room_id = rm.room_id and x.sender_id = rm.user_id and x.seq <= rm.seq);
create index messages_deleted_idx on messages (room_id, seq) where deleted;

-- Who a message mentions, indexed by the mentioned user: their unread mentions are counted here.
-- Rows follow the current text (an edit replaces them, a deletion removes them); a sender naming
-- themself gets no row (their own messages are never unread to them).
create table mentions (
    user_id  varchar(36) not null references users (id) on delete cascade,
    room_id  varchar(36) not null,
    seq      bigint      not null,
    primary key (user_id, room_id, seq),
    foreign key (room_id, seq) references messages (room_id, seq) on delete cascade
);
insert into mentions (user_id, room_id, seq)
select distinct n.user_id, m.room_id, m.seq
  from messages m cross join lateral unnest(m.mentions) as n(user_id)
 where not m.deleted and n.user_id <> m.sender_id;

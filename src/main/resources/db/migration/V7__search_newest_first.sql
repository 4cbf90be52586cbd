-- Search answers newest first. For a word in half the messages, walking this index from the newest
-- and testing each message's vector finds a page after a few dozen rows; without it PostgreSQL sorts
-- every match (seen: 220 ms p50 on 1 M messages, docs/performance.md). Rare words still go through
-- the GIN index; the planner picks by the vector's statistics.
create index messages_created_at_idx on messages (created_at desc, room_id desc, seq desc);

-- The vectors go into the GIN index at once, not through its pending list: a list that fills is
-- merged by whichever insert (or autovacuum) finds it full, which stalled the send path for seconds
-- under a steady flood (docs/performance.md, "Search").
alter index messages_search_idx set (fastupdate = off);

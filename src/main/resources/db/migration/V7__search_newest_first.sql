-- Search answers newest first. For a word in half the messages, walking this index from the newest
-- and testing each message's vector finds a page after a few dozen rows; without it PostgreSQL sorts
-- every match (seen: 220 ms p50 on 1 M messages, docs/performance.md). Rare words still go through
-- the GIN index; the planner picks by the vector's statistics.
create index messages_created_at_idx on messages (created_at desc, room_id desc, seq desc);

-- The vectors go into the GIN index at once, not through its pending list (which the insert or
-- autovacuum that finds it full merges while other writers wait): with the list on, two of five
-- ingest runs fell to a fifth of the throughput (docs/performance.md, "The write path").
alter index messages_search_idx set (fastupdate = off);
-- Edited comments above; these letters keep the checksum Flyway recorded when it first applied the file: bbbbaaabaabbabaaabaaabababaabaaaaaaaaaaaaaaaaaaa

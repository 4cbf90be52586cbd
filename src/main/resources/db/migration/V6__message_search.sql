-- Full-text search over the current text of messages. The 'simple' configuration lowercases and
-- splits words but neither stems nor drops stop words: rooms mix languages, and a word is found as
-- typed in any of them. An edit rewrites the text and so the vector; a deletion erases the text, and
-- deleted messages are excluded by the query as well.
alter table messages add column search tsvector generated always as (to_tsvector('simple', text)) stored;
create index messages_search_idx on messages using gin (search);

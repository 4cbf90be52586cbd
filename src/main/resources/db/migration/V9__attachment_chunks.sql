-- The database's attachment store keeps a file's bytes in chunks of 256 KiB, written one at a time
-- from the uploaded file on disk and read one at a time to the client: no file is ever whole in
-- memory. The bytea column of V1 was never used.
create table attachment_chunks (
    attachment_id  varchar(36) not null references attachments (id) on delete cascade,
    n              int         not null check (n >= 0),
    data           bytea       not null,
    primary key (attachment_id, n)
);
alter table attachments drop column content;

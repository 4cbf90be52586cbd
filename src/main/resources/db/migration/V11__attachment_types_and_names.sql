-- Attachments stored before the rule of dev.parley.attachment.AttachmentTypes and AttachmentNames:
-- any type other than the four raster images becomes application/octet-stream (served as a
-- download, never as a page), and names are cleaned as new uploads are: last path segment only
-- ('/' and '\' both separate), control characters (C0, DEL, C1) as spaces, trimmed, never a name
-- of dots only ("." or ".."), "file" when nothing is left.
update attachments
   set content_type = 'application/octet-stream'
 where content_type not in ('image/png', 'image/jpeg', 'image/gif', 'image/webp');

update attachments
   set name = btrim(regexp_replace(regexp_replace(name, '^.*[/\\]', ''), '[\x01-\x1f\x7f-\x9f]', ' ', 'g'))
 where name ~ '[/\\\x01-\x1f\x7f-\x9f]' or name <> btrim(name);

update attachments
   set name = 'file'
 where name = '' or name ~ '^\.+$';

package dev.parley.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import dev.parley.testsupport.DatabaseTestResource;

/** V11 brings attachments stored before it under the rules new uploads follow (AttachmentTypes, AttachmentNames). */
class AttachmentMigrationTest {

    private static final String DATABASE = "parley_migration_test";

    @Test
    void storedTypesAndNamesAreRewrittenAsNewUploadsWouldBe() throws Exception {
        DatabaseTestResource.recreate(DATABASE);
        migrate("10");
        Map<String, String[]> rows = new java.util.LinkedHashMap<>();
        rows.put("a1", new String[] { "page.html", "text/html", "page.html", "application/octet-stream" });
        rows.put("a2", new String[] { "logo.svg", "image/svg+xml", "logo.svg", "application/octet-stream" });
        rows.put("a3", new String[] { "cat.png", "image/png", "cat.png", "image/png" });
        rows.put("a4", new String[] { "..", "image/jpeg", "file", "image/jpeg" });
        rows.put("a5", new String[] { "dir\\..\\..", "image/gif", "file", "image/gif" });
        rows.put("a6", new String[] { "../../etc/passwd", "text/plain", "passwd", "application/octet-stream" });
        rows.put("a7", new String[] { "tab\there.webp", "image/webp", "tab here.webp", "image/webp" });
        rows.put("a8", new String[] { "  .  ", "application/pdf", "file", "application/octet-stream" });
        try (Connection db = DatabaseTestResource.connect(DATABASE); Statement sql = db.createStatement()) {
            sql.execute("insert into users (id, username, kind, issuer, subject, created_at) values ('u', 'u', 'user', 'parley', 'u', now())");
            sql.execute("insert into rooms (id, name, visibility, created_at) values ('r', 'r', 'public', now())");
            for (var row : rows.entrySet()) {
                try (var insert = db.prepareStatement("insert into attachments (id, room_id, uploader_id, name, content_type, size, storage_key)"
                        + " values (?, 'r', 'u', ?, ?, 1, ?)")) {
                    insert.setString(1, row.getKey());
                    insert.setString(2, row.getValue()[0]);
                    insert.setString(3, row.getValue()[1]);
                    insert.setString(4, row.getKey());
                    insert.execute();
                }
            }
        }
        migrate("11");
        try (Connection db = DatabaseTestResource.connect(DATABASE); Statement sql = db.createStatement();
                ResultSet result = sql.executeQuery("select id, name, content_type from attachments")) {
            Map<String, String> seen = new HashMap<>();
            while (result.next()) {
                seen.put(result.getString(1), result.getString(2) + " | " + result.getString(3));
            }
            for (var row : rows.entrySet()) {
                assertThat(seen.get(row.getKey())).as(row.getValue()[0]).isEqualTo(row.getValue()[2] + " | " + row.getValue()[3]);
                // the same rules as new uploads
                assertThat(row.getValue()[2]).isEqualTo(AttachmentNames.clean(row.getValue()[0]));
                assertThat(row.getValue()[3]).isEqualTo(AttachmentTypes.recorded(row.getValue()[1]));
            }
        }
    }

    private static void migrate(String target) {
        String host = System.getenv().getOrDefault("PARLEY_DB_HOST", "localhost");
        String port = System.getenv().getOrDefault("PARLEY_DB_PORT", "5432");
        Flyway.configure()
                .dataSource("jdbc:postgresql://" + host + ":" + port + "/" + DATABASE,
                        System.getenv().getOrDefault("PARLEY_DB_USER", "postgres"), System.getenv().getOrDefault("PARLEY_DB_PASSWORD", ""))
                .locations("classpath:db/migration").target(target).load().migrate();
    }
}

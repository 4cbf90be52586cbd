package dev.parley.attachment;

import static dev.parley.testsupport.Frames.frame;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.Frames;
import dev.parley.testsupport.RawHttp;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.TestUsers.TestUser;
import dev.parley.testsupport.WsClient;

/** Files posted to rooms: stored, sniffed, carried by their message, served to readers only, gone with the message. */
@QuarkusTest
class AttachmentTest {

    private static final byte[] PNG = bytes("\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR\u0000\u0000\u0000\u0001\u0000\u0000\u0000\u0001"
            + "\u0008\u0006\u0000\u0000\u0000\u001f\u0015\u00c4\u0089");

    @TestHTTPResource("/ws")
    URI ws;

    @TestHTTPResource("/")
    URI base;

    @Test
    void aFileIsPostedAsOneLogEntryServedToReadersAndDeletedWithItsMessage() throws Exception {
        TestUser alice = TestUsers.create("alice");
        TestUser bob = TestUsers.create("bob");
        TestUser eve = TestUsers.create("eve");
        String room = TestRooms.create(alice.token(), "private");
        TestRooms.invite(alice.token(), room, bob.username());
        try (WsClient b = WsClient.connectWithHeader(ws, bob.token())) {
            b.subscribe(room, null);
            // the client says text/plain; the bytes say PNG
            JsonNode posted = json(upload(alice, room, "../../cat.png", PNG, "text/plain", Map.of("text", "look")).statusCode(201));
            JsonNode attachment = posted.path("attachment");
            assertThat(attachment.path("name").asText()).isEqualTo("cat.png");
            assertThat(attachment.path("size").asLong()).isEqualTo(PNG.length);
            assertThat(attachment.path("contentType").asText()).isEqualTo("image/png");
            assertThat(posted.path("text").asText()).isEqualTo("look");
            JsonNode live = b.awaitEvents("message", room, 1).get(0);
            assertThat(live.path("seq").asLong()).isEqualTo(posted.path("seq").asLong());
            assertThat(live.path("attachment")).isEqualTo(attachment);
            String id = attachment.path("id").asText();

            ExtractableResponse<Response> served = given().auth().oauth2(bob.token()).get("/api/attachments/" + id).then()
                    .statusCode(200).extract();
            assertThat(served.asByteArray()).isEqualTo(PNG);
            assertThat(served.header("Content-Type")).isEqualTo("image/png");
            assertThat(served.header("Content-Disposition")).startsWith("inline; filename=\"cat.png\"");
            assertThat(served.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(served.header("Content-Security-Policy")).isEqualTo("sandbox");
            // the history shows it too; a non-member learns nothing, not even that it exists
            given().auth().oauth2(bob.token()).get("/api/rooms/" + room + "/messages").then().statusCode(200)
                    .body("messages[0].attachment.id", org.hamcrest.Matchers.is(id));
            given().auth().oauth2(eve.token()).get("/api/attachments/" + id).then().statusCode(404)
                    .contentType("application/problem+json");
            given().auth().oauth2(eve.token()).get("/api/attachments/no-such-id").then().statusCode(404);
            given().get("/api/attachments/" + id).then().statusCode(401);

            // only the author or an owner/admin deletes it, and with it the file
            assertThat(b.request(frame("delete", "d", "room", room, "target", posted.path("seq").asLong()), "d")
                    .path("code").asText()).isEqualTo("forbidden");
            given().auth().oauth2(bob.token()).get("/api/attachments/" + id).then().statusCode(200);
        }
    }

    @Test
    void deletingTheMessageDeletesTheFileAndLargeFilesRoundTripInChunks() throws Exception {
        TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        byte[] big = new byte[600 * 1024 + 7];
        new Random(7).nextBytes(big);
        JsonNode posted = json(upload(alice, room, "data.bin", big, "image/png", Map.of()).statusCode(201));
        String id = posted.path("attachment").path("id").asText();
        assertThat(posted.path("attachment").path("contentType").asText()).isEqualTo("application/octet-stream");
        assertThat(posted.path("text").asText()).isEmpty();
        ExtractableResponse<Response> served = given().auth().oauth2(alice.token()).get("/api/attachments/" + id).then()
                .statusCode(200).extract();
        assertThat(served.asByteArray()).isEqualTo(big);
        assertThat(served.header("Content-Disposition")).startsWith("attachment;");
        assertThat(count("attachment_chunks where attachment_id = '" + id + "'")).isEqualTo(3);

        try (WsClient a = WsClient.connectWithHeader(ws, alice.token())) {
            assertThat(a.request(frame("delete", "d", "room", room, "target", posted.path("seq").asLong()), "d").path("type")
                    .asText()).isEqualTo("ok");
        }
        given().auth().oauth2(alice.token()).get("/api/attachments/" + id).then().statusCode(404);
        assertThat(count("attachments where id = '" + id + "'")).isZero();
        assertThat(count("attachment_chunks where attachment_id = '" + id + "'")).isZero();
        given().auth().oauth2(alice.token()).get("/api/rooms/" + room + "/messages").then().statusCode(200)
                .body("messages[0].deleted", org.hamcrest.Matchers.is(true))
                .body("messages[0].attachment", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void markupIsServedAsADownloadAndARetryStoresOneFile() throws Exception {
        TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        byte[] page = bytes("<html><body><script>alert(1)</script></body></html>");
        JsonNode first = json(upload(alice, room, "photo.png", page, "image/png", Map.of("clientMsgId", "up-1")).statusCode(201));
        // recorded, shown and served alike: a download, never text/html
        assertThat(first.path("attachment").path("contentType").asText()).isEqualTo("application/octet-stream");
        String id = first.path("attachment").path("id").asText();
        given().auth().oauth2(alice.token()).get("/api/attachments/" + id).then().statusCode(200)
                .header("Content-Type", "application/octet-stream")
                .header("Content-Disposition", org.hamcrest.Matchers.startsWith("attachment;"))
                .header("Content-Security-Policy", "sandbox");
        given().auth().oauth2(alice.token()).get("/api/rooms/" + room + "/messages").then().statusCode(200)
                .body("messages[0].attachment.contentType", org.hamcrest.Matchers.is("application/octet-stream"));

        JsonNode again = json(upload(alice, room, "photo.png", page, "image/png", Map.of("clientMsgId", "up-1")).statusCode(200));
        assertThat(again.path("seq").asLong()).isEqualTo(first.path("seq").asLong());
        assertThat(again.path("attachment").path("id").asText()).isEqualTo(id);
        assertThat(count("attachments where room_id = '" + room + "'")).isEqualTo(1);
    }

    @Test
    void onlyRasterImagesAreShownInThePageEveryOtherTypeIsADownload() throws Exception {
        TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        Map<String, byte[]> active = Map.of(
                "drawing.png", bytes("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"),
                "page.gif", bytes("<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>"),
                "notes.webp", bytes("plain text that is not an image at all"),
                "doc.jpg", bytes("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n<<>>\nendobj\n"));
        for (var file : active.entrySet()) {
            JsonNode posted = json(upload(alice, room, file.getKey(), file.getValue(), "image/png", Map.of()).statusCode(201));
            assertThat(posted.path("attachment").path("contentType").asText()).as(file.getKey()).isEqualTo("application/octet-stream");
            given().auth().oauth2(alice.token()).get("/api/attachments/" + posted.path("attachment").path("id").asText()).then()
                    .statusCode(200).header("Content-Type", "application/octet-stream")
                    .header("Content-Disposition", org.hamcrest.Matchers.startsWith("attachment;"));
        }
        JsonNode png = json(upload(alice, room, "cat.png", PNG, "text/html", Map.of()).statusCode(201));
        assertThat(png.path("attachment").path("contentType").asText()).isEqualTo("image/png");
    }

    @Test
    void namesAreCleanedOfPathsDotsAndControlCharacters() throws Exception {
        TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        Map<String, String> cleaned = Map.of(
                "..", "file",
                ".", "file",
                "a/b/..", "file",
                "dir\\..\\..", "file",
                "C:\\Users\\x\\cat.png", "cat.png",
                "/etc/passwd", "passwd",
                "  spaced.png  ", "spaced.png",
                "tab\there.png", "tab here.png",
                "...", "file");
        for (var name : cleaned.entrySet()) {
            JsonNode posted = json(upload(alice, room, name.getKey(), PNG, "image/png", Map.of()).statusCode(201));
            assertThat(posted.path("attachment").path("name").asText()).as(name.getKey()).isEqualTo(name.getValue());
            given().auth().oauth2(alice.token()).get("/api/attachments/" + posted.path("attachment").path("id").asText()).then()
                    .statusCode(200).header("Content-Disposition", org.hamcrest.Matchers.containsString(
                            "filename=\"" + name.getValue().replaceAll("[^A-Za-z0-9._ -]", "_") + "\""));
        }
    }

    @Test
    void aDownloadHasExactlyOneFramingHeader() throws Exception {
        TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        byte[] big = new byte[300 * 1024];
        new Random(3).nextBytes(big);
        for (byte[] content : new byte[][] { PNG, big }) {
            String id = json(upload(alice, room, "f.bin", content, "image/png", Map.of()).statusCode(201))
                    .path("attachment").path("id").asText();
            RawHttp.Answer answer = RawHttp.send(base, RawHttp.request(base, "GET", "/api/attachments/" + id, null,
                    "Authorization: Bearer " + alice.token()));
            assertThat(answer.status()).isEqualTo(200);
            // RFC 9112 6.3: a message with both is malformed; strict clients (Node's fetch) refuse it
            assertThat(answer.all("transfer-encoding").size() + answer.all("content-length").size())
                    .as("framing headers: %s", answer.headers().stream().map(h -> h[0] + ": " + h[1]).toList()).isEqualTo(1);
            assertThat(answer.body()).isEqualTo(content);
        }
    }

    @Test
    void formFieldsWithControlCharactersAreRefusedLikeEveryOtherText() throws Exception {
        TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        for (Map<String, String> fields : java.util.List.of(Map.of("text", "a\u0000b"), Map.of("text", "a\u0001b"),
                Map.of("clientMsgId", "id\u0000"), Map.of("clientMsgId", "id\u0001"))) {
            upload(alice, room, "x.png", PNG, "image/png", fields).statusCode(400)
                    .contentType("application/problem+json").body("code", org.hamcrest.Matchers.is("bad_request"));
        }
        assertThat(count("attachments where room_id = '" + room + "'")).isZero();
        assertThat(count("messages where room_id = '" + room + "'")).isZero();
    }

    @Test
    void aBodyThatIsNotMultipartOrIsCutShortIsABadRequest() throws Exception {
        TestUser alice = TestUsers.create("alice");
        String room = TestRooms.create(alice.token(), "public");
        String cut = "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\n"
                + "Content-Type: image/png\r\n\r\nhalf a file";
        for (String body : java.util.List.of("this is not multipart at all", cut)) {
            RawHttp.Answer answer = RawHttp.send(base, RawHttp.request(base, "POST", "/api/rooms/" + room + "/attachments", body,
                    "Authorization: Bearer " + alice.token(), "Content-Type: multipart/form-data; boundary=b0undary"));
            assertThat(answer.status()).as(answer.text()).isEqualTo(400);
            assertThat(answer.header("content-type")).startsWith("application/problem+json");
            assertThat(Frames.parse(answer.text()).path("code").asText()).isEqualTo("bad_request");
        }
        assertThat(count("attachments where room_id = '" + room + "'")).isZero();
    }

    @Test
    void refusedUploadsStoreNothing() throws Exception {
        TestUser alice = TestUsers.create("alice");
        TestUser bob = TestUsers.create("bob");
        String room = TestRooms.create(alice.token(), "private");
        TestRooms.invite(alice.token(), room, bob.username());
        given().auth().oauth2(alice.token()).contentType(ContentType.JSON)
                .body(Map.of("username", bob.username(), "minutes", 5)).post("/api/rooms/" + room + "/mutes").then().statusCode(204);
        TestUser eve = TestUsers.create("eve");

        upload(eve, room, "x.png", PNG, "image/png", Map.of()).statusCode(403);
        upload(bob, room, "x.png", PNG, "image/png", Map.of()).statusCode(403); // muted
        upload(alice, room, "empty.txt", new byte[0], "text/plain", Map.of()).statusCode(400);
        upload(alice, "no-such-room", "x.png", PNG, "image/png", Map.of()).statusCode(404);
        upload(alice, room, "bad\u0001name.png", PNG, "image/png", Map.of()).statusCode(400);
        upload(alice, room, "x.png", PNG, "image/png", Map.of("text", "x".repeat(4001))).statusCode(413)
                .contentType("application/problem+json");
        given().auth().oauth2(alice.token()).multiPart("text", "no file").post("/api/rooms/" + room + "/attachments").then()
                .statusCode(400).contentType("application/problem+json");
        // over the limit (10 MiB): 413 with problem+json
        upload(alice, room, "huge.bin", new byte[10 * 1024 * 1024 + 1], "application/octet-stream", Map.of()).statusCode(413)
                .contentType("application/problem+json");
        assertThat(count("attachments where room_id = '" + room + "'")).isZero();
        given().auth().oauth2(alice.token()).get("/api/rooms/" + room + "/messages").then().statusCode(200)
                .body("messages.size()", org.hamcrest.Matchers.is(0));
    }

    private static ValidatableResponse upload(TestUser user, String room, String name, byte[] content, String claimed,
            Map<String, String> fields) {
        var request = given().auth().oauth2(user.token()).multiPart("file", name, content, claimed);
        for (var field : fields.entrySet()) {
            request = request.multiPart(field.getKey(), field.getValue());
        }
        return request.post("/api/rooms/" + room + "/attachments").then();
    }

    private static JsonNode json(ValidatableResponse response) {
        return dev.parley.testsupport.Frames.parse(response.extract().asString());
    }

    private static long count(String fromWhere) throws Exception {
        try (Connection db = DatabaseTestResource.connect(DatabaseTestResource.DATABASE); Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("select count(*) from " + fromWhere)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }
}

package dev.parley.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.parley.testsupport.Frames;
import dev.parley.testsupport.RawHttp;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.TestUsers.TestUser;

/**
 * The HTTP surface below the API: requests that a client library would never send (or would
 * normalise first) are written byte by byte, and every refusal must be a problem document with a
 * code, whoever makes it (JAX-RS, the router, or the HTTP codec).
 */
@QuarkusTest
class HttpSurfaceTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void dotSegmentsAndEncodedSeparatorsAreRefusedAndDeleteNothing() {
        TestUser owner = TestUsers.create("owner");
        String room = TestRooms.create(owner.token(), "public");
        for (String tail : List.of("/bans/..", "/bans/%2E%2E", "/bans/%2e%2e", "/bans/.%2E", "/members/.", "/bans/..%2F",
                "/bans/%2F..", "/bans/%5C..", "/bans/x%2Fy", "/bans/x%5Cy", "/bans/..;", "/./bans/x", "/bans/x/../..")) {
            RawHttp.Answer answer = RawHttp.send(base, RawHttp.request(base, "DELETE", "/api/rooms/" + room + tail, null,
                    "Authorization: Bearer " + owner.token()));
            if (tail.equals("/bans/..;")) {
                // not a dot segment ("..;" is a name): whatever it is, the room is not what it deletes
                assertThat(answer.status()).as(tail).isNotEqualTo(204);
                continue;
            }
            assertProblem(answer, 400, "bad_request", tail);
        }
        // the room survived every one of them
        given().auth().oauth2(owner.token()).get("/api/rooms/" + room).then().statusCode(200).body("id", equalTo(room));
    }

    @Test
    void twoHostHeadersAreRefusedWithAProblemDocument() {
        assertProblem(RawHttp.send(base, "GET /api/me HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n"),
                400, "bad_request", "two Host headers");
    }

    /**
     * What the HTTP codec refuses before any route exists is answered like every other refusal, with
     * Vert.x's statuses and a problem document, and the connection closed.
     */
    @Test
    void theHttpCodecsOwnRefusalsAreProblemDocuments() {
        assertProblem(RawHttp.send(base, "GET /api/me HTTP/1.1 extra words\r\nHost: a\r\nConnection: close\r\n\r\n"),
                400, "bad_request", "malformed request line");
        assertProblem(RawHttp.send(base, "GET /api/me HTTP/1.1\r\nHost: a\r\nBad Header: x\r\nConnection: close\r\n\r\n"),
                400, "bad_request", "malformed header name");
        assertProblem(RawHttp.send(base, "GET /api/me?q=" + "x".repeat(8_000) + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
                414, "too_large", "URI too long");
        assertProblem(RawHttp.send(base, "GET /api/me HTTP/1.1\r\nHost: a\r\nX-Big: " + "y".repeat(30_000)
                + "\r\nConnection: close\r\n\r\n"), 431, "too_large", "headers too large");
        // and the next client is served as before
        assertThat(RawHttp.send(base, "GET /api/auth/options HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").status())
                .isEqualTo(200);
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413BySizeAndWhileStreaming() throws Exception {
        TestUser alice = TestUsers.create("alice");
        // declared: refused before a byte of the body is read
        RawHttp.Answer declared = RawHttp.send(base, "POST /api/rooms HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + alice.token()
                + "\r\nContent-Type: application/json\r\nContent-Length: 12000000\r\nConnection: close\r\n\r\n{");
        assertProblem(declared, 413, "too_large", "Content-Length over the limit");
        // chunked: refused once the limit is passed
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/rooms HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + alice.token()
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = ("100000\r\n" + " ".repeat(0x100000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                for (int i = 0; i < 13; i++) {
                    out.write(chunk);
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (java.io.IOException e) {
                // the server may answer and close before the whole body is written
            }
            // Quarkus REST answers this one itself, before any mapper: status only (docs/security.md)
            assertThat(RawHttp.read(socket.getInputStream()).status()).as("chunked body over the limit").isEqualTo(413);
        }
    }

    @Test
    void aJsonEndpointRefusesABodyThatDoesNotSayItIsJsonWith415() {
        TestUser alice = TestUsers.create("alice");
        String body = "{\"name\":\"r-" + System.nanoTime() + "\",\"visibility\":\"public\"}";
        assertProblem(RawHttp.send(base, RawHttp.request(base, "POST", "/api/rooms", body, "Authorization: Bearer " + alice.token(),
                "Content-Type: */*")), 415, "bad_request", "wildcard Content-Type");
        assertProblem(RawHttp.send(base, RawHttp.request(base, "POST", "/api/rooms", body, "Authorization: Bearer " + alice.token())),
                415, "bad_request", "no Content-Type");
        assertProblem(RawHttp.send(base, RawHttp.request(base, "POST", "/api/rooms", body, "Authorization: Bearer " + alice.token(),
                "Content-Type: text/plain")), 415, "bad_request", "text/plain");
        // and the same body as JSON is fine
        assertThat(RawHttp.send(base, RawHttp.request(base, "POST", "/api/rooms", body, "Authorization: Bearer " + alice.token(),
                "Content-Type: application/json; charset=utf-8")).status()).isEqualTo(201);
    }

    @Test
    void jaxRsRefusalsCarryACodeToo() {
        TestUser alice = TestUsers.create("alice");
        Response wrongMethod = given().auth().oauth2(alice.token()).put("/api/me");
        wrongMethod.then().statusCode(405).contentType("application/problem+json").body("code", equalTo("bad_request"));
        given().auth().oauth2(alice.token()).get("/api/no-such-thing").then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("not_found"));
    }

    @Test
    void everyApiAnswerIsNotSniffedAndTokenAnswersAreNotStored() {
        String username = TestUsers.uniqueName("hdr");
        Response registered = given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", TestUsers.PASSWORD)).post("/api/auth/register");
        assertThat(registered.header("X-Content-Type-Options")).isEqualTo("nosniff");
        Response login = given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", TestUsers.PASSWORD)).post("/api/auth/login");
        login.then().statusCode(200).header("Cache-Control", "no-store").header("X-Content-Type-Options", "nosniff");
        String token = login.path("accessToken");
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", login.<String>path("refreshToken")))
                .post("/api/auth/refresh").then().statusCode(200).header("Cache-Control", "no-store");
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "helper"))
                .post("/api/bots").then().statusCode(201).header("Cache-Control", "no-store");
        for (Response answer : List.of(given().auth().oauth2(token).get("/api/me"), given().get("/api/me"),
                given().auth().oauth2(token).get("/api/rooms/no-such-room"), given().auth().oauth2(token).get("/api/search"))) {
            assertThat(answer.header("X-Content-Type-Options")).as("%d %s", answer.statusCode(), answer.asString())
                    .isEqualTo("nosniff");
        }
    }

    private static void assertProblem(RawHttp.Answer answer, int status, String code, String what) {
        assertThat(answer.status()).as("%s: %s", what, answer.text()).isEqualTo(status);
        assertThat(answer.header("content-type")).as(what).startsWith("application/problem+json");
        JsonNode problem = Frames.parse(answer.text());
        assertThat(problem.path("code").asText()).as(what).isEqualTo(code);
        assertThat(problem.path("status").asInt()).as(what).isEqualTo(status);
    }
}

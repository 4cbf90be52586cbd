package dev.parley.problem;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.testsupport.Frames;
import dev.parley.testsupport.FuzzRequests;
import dev.parley.testsupport.FuzzRequests.Request;
import dev.parley.testsupport.TestRooms;
import dev.parley.testsupport.TestUsers;

/**
 * About 3,000 generated raw HTTP requests against /api ({@link FuzzRequests}): none may get a 5xx,
 * every 4xx is problem+json with a code, and the instance answers normally afterwards. The seed is
 * printed first; {@code -Dfuzz.seed=} and {@code -Dfuzz.requests=} reproduce a run.
 */
@QuarkusTest
class RestFuzzTest {


    @TestHTTPResource("/")
    URI base;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Test
    void noRequestGetsA5xxAndEvery4xxIsAProblemWithACode() throws Exception {
        long seed = Long.getLong("fuzz.seed", new SecureRandom().nextLong());
        int count = Integer.getInteger("fuzz.requests", 3_000);
        System.out.printf("RestFuzzTest: seed %d, %d requests; rerun with -Dfuzz.seed=%d -Dfuzz.requests=%d%n", seed, count, seed, count);
        long started = System.nanoTime();
        TestUsers.TestUser user = TestUsers.create("restfuzz");
        String room = TestRooms.create(user.token(), "public");
        FuzzRequests requests = new FuzzRequests(seed, new FuzzRequests.Context(room, user.token(), user.username()));
        String host = base.getHost() + ":" + base.getPort();

        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            Request request = requests.next(host);
            Response response = send(request.bytes());
            statuses.merge(response.status, 1, Integer::sum);
            String fault = check(response, request.description().startsWith("HEAD "));
            if (fault != null) {
                failures.add("seed " + seed + ": " + fault + "\n    request " + request);
            }
        }
        System.out.printf("RestFuzzTest: seed %d, %d requests, statuses %s, %d s%n", seed, count, statuses,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        // still answering, and normally
        given().auth().oauth2(user.token()).get("/api/me").then().statusCode(200);
        given().get(management.resolve("/q/health/ready").toString()).then().statusCode(200);
        // random paths do not each become a uri tag of http.server.requests (Micrometer stops at 100, with a warning)
        java.util.Set<String> uris = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("http_server_requests_seconds_count\\{[^}]*uri=\"([^\"]*)\"")
                .matcher(given().get(management.resolve("/q/metrics").toString()).then().statusCode(200).extract().asString());
        while (m.find()) {
            uris.add(m.group(1));
        }
        assertThat(uris).as("uri tags of http.server.requests").hasSizeLessThan(60);

        failures.stream().limit(1_000).forEach(System.out::println);
        assertThat(failures.subList(0, Math.min(30, failures.size())))
                .as("%d requests answered wrongly (the first 30 shown)", failures.size()).isEmpty();
    }

    private static String check(Response r, boolean head) {
        if (r.status == 0) {
            return "no answer (" + r.error + ")";
        }
        if (r.status >= 500) {
            return r.status + " " + r.body;
        }
        if (r.status >= 400) {
            String type = r.header("content-type");
            if (type == null || !type.startsWith("application/problem+json")) {
                return r.status + " with Content-Type " + type + ": " + r.body;
            }
            if (head) {
                return null; // an answer to HEAD has no body
            }
            JsonNode problem;
            try {
                problem = Frames.parse(r.body);
            } catch (IllegalArgumentException e) {
                return r.status + " with a body that is not JSON: " + r.body;
            }
            if (problem.path("status").asInt() != r.status) {
                return r.status + " with another status in its body: " + r.body;
            }
            if (!problem.hasNonNull("code")) {
                return r.status + " without a code: " + r.body;
            }
        }
        return null;
    }

    private Response send(byte[] request) {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            byte[] all = readAll(socket.getInputStream());
            return Response.parse(new String(all, StandardCharsets.UTF_8));
        } catch (IOException e) {
            Response r = new Response();
            r.error = e.toString();
            return r;
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (java.net.SocketException e) {
            return new byte[0]; // reset by the server after answering a request it would not read whole
        }
    }

    /** An HTTP/1.1 answer read to the end of the connection (every request says Connection: close). */
    private static final class Response {
        int status;
        String error;
        final Map<String, String> headers = new TreeMap<>();
        String body = "";

        static Response parse(String text) {
            Response r = new Response();
            int end = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.1 ") || end < 0) {
                r.error = "not an HTTP answer: " + (text.length() > 200 ? text.substring(0, 200) : text);
                return r;
            }
            String[] lines = text.substring(0, end).split("\r\n");
            r.status = Integer.parseInt(lines[0].substring(9, 12));
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    r.headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
            }
            String body = text.substring(end + 4);
            if ("chunked".equalsIgnoreCase(r.header("transfer-encoding"))) {
                StringBuilder joined = new StringBuilder();
                int at = 0;
                while (at < body.length()) {
                    int lineEnd = body.indexOf("\r\n", at);
                    if (lineEnd < 0) {
                        break;
                    }
                    int size = Integer.parseInt(body.substring(at, lineEnd).split(";")[0].trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    joined.append(body, lineEnd + 2, Math.min(body.length(), lineEnd + 2 + size));
                    at = lineEnd + 2 + size + 2;
                }
                body = joined.toString();
            }
            r.body = body;
            return r;
        }

        String header(String name) {
            return headers.get(name);
        }
    }
}

package dev.parley.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.ParleyProcess;
import dev.parley.testsupport.RawHttp;
import dev.parley.testsupport.TestUsers.TestUser;

/**
 * A WebSocket upgrade refused for its token or its Origin is an everyday event on an open port (a
 * client with an expired token retrying, a foreign page): it answers 401 or 403 and costs the log a
 * bounded amount, not a stack trace each time. Runs against a real instance in production mode,
 * whose log is the one an operator reads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefusedUpgradeIT {

    private static final String DATABASE = "parley_it_refused_upgrades";
    private static final int ATTEMPTS = 200;
    // one short line per refusal would be ~40 KB; a stack trace each was ~26 KB
    private static final long LOG_BYTES_ALLOWED = 8 * 1024;

    private ParleyProcess instance;
    private TestUser user;

    @BeforeAll
    void startInstance() {
        DatabaseTestResource.recreate(DATABASE);
        Map<String, String> env = ParleyProcess.environment(DATABASE);
        env.put("PARLEY_WEBSOCKET_ALLOWED_ORIGINS", "http://parley.example");
        instance = ParleyProcess.start("refused-upgrades", env);
        user = instance.register("upgrader");
    }

    @AfterAll
    void stopInstance() {
        ParleyProcess.stopAll(instance);
    }

    @Test
    void refusedUpgradesAnswer401Or403AndLeaveTheLogAlmostUntouched() {
        URI base = URI.create(instance.baseUrl());
        long before = logBytes();
        for (int i = 0; i < ATTEMPTS; i++) {
            RawHttp.Answer answer = switch (i % 4) {
                case 0 -> upgrade(base, "Authorization: Bearer not.a.token");
                case 1 -> upgrade(base);
                case 2 -> upgrade(base, "Authorization: Bearer " + user.token(), "Origin: https://evil.example");
                default -> upgrade(base, "Sec-WebSocket-Protocol: bearer-token-carrier, quarkus-http-upgrade%23Authorization%23Bearer%20garbage");
            };
            int expected = i % 4 == 2 ? 403 : 401;
            assertThat(answer.status()).as("attempt %d: %s", i, answer.text()).isEqualTo(expected);
            // a token that fails its checks is refused by Parley (a challenge and a problem document); no
            // token at all is refused by websockets-next's own security check, a bare 401
            if (i % 4 == 0 || i % 4 == 3) {
                assertThat(answer.header("content-type")).as("attempt %d", i).startsWith("application/problem+json");
                assertThat(answer.text()).contains("\"code\":\"unauthorized\"");
            }
            if (i % 4 == 0 || i % 4 == 3) {
                assertThat(answer.header("www-authenticate")).as("attempt %d", i).startsWith("Bearer");
            }
        }
        // the control: a good upgrade from an allowed page still opens
        assertThat(upgrade(base, "Authorization: Bearer " + user.token(), "Origin: http://parley.example").status()).isEqualTo(101);
        long grown = logBytes() - before;
        System.out.printf("log grew by %d bytes over %d refused upgrades%n", grown, ATTEMPTS);
        assertThat(grown).as("log growth over %d refused upgrades:%n%s", ATTEMPTS, instance.log()).isLessThanOrEqualTo(LOG_BYTES_ALLOWED);
        assertThat(instance.log()).doesNotContain("ERROR");
    }

    private static RawHttp.Answer upgrade(URI base, String... headers) {
        String[] all = new String[headers.length + 4];
        all[0] = "Upgrade: websocket";
        all[1] = "Connection: Upgrade";
        all[2] = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
        all[3] = "Sec-WebSocket-Version: 13";
        System.arraycopy(headers, 0, all, 4, headers.length);
        String request = RawHttp.request(base, "GET", "/ws", null, all).replace("Connection: close\r\n", "");
        return RawHttp.send(base, request.getBytes(StandardCharsets.US_ASCII));
    }

    private long logBytes() {
        return instance.log().getBytes(StandardCharsets.UTF_8).length;
    }
}

package dev.parley.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

import dev.parley.problem.ParleyException;

/** The webhook URL policy as production has it (local addresses refused), and as tests relax it. */
class WebhookTargetsTest {

    private final WebhookTargets strict = new WebhookTargets(false);
    private final WebhookTargets relaxed = new WebhookTargets(true);

    @Test
    void loopbackLinkLocalAndWildcardAddressesAreRefusedUnlessLocalIsAllowed() throws Exception {
        for (String url : new String[] { "http://127.0.0.1/", "http://127.1.2.3:8080/x", "http://[::1]/", "http://localhost:9000/",
                "http://api.localhost/", "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/" }) {
            assertThatThrownBy(() -> strict.parse(url)).as(url).isInstanceOf(ParleyException.class)
                    .hasMessageContaining("local addresses");
            assertThat(relaxed.parse(url)).as(url).isNotNull();
        }
        for (String url : new String[] { "http://0.0.0.0/", "http://[::]/", "http://224.0.0.1/" }) {
            assertThatThrownBy(() -> relaxed.parse(url)).as(url).isInstanceOf(ParleyException.class);
        }
        assertThat(strict.permits(InetAddress.getByName("127.0.0.1"))).isFalse();
        assertThat(strict.permits(InetAddress.getByName("::ffff:127.0.0.1"))).isFalse();
        assertThat(strict.permits(InetAddress.getByName("169.254.1.1"))).isFalse();
        assertThat(strict.permits(InetAddress.getByName("10.1.2.3"))).isTrue(); // a bot in the same cluster
        assertThat(relaxed.permits(InetAddress.getByName("127.0.0.1"))).isTrue();
    }

    @Test
    void onlyHttpAndHttpsUrlsWithAHostAndNoCredentials() {
        assertThat(strict.parse("https://hooks.example.com/parley?x=1").toString()).isEqualTo("https://hooks.example.com/parley?x=1");
        assertThat(WebhookTargets.port(strict.parse("https://hooks.example.com/"))).isEqualTo(443);
        assertThat(WebhookTargets.port(strict.parse("http://hooks.example.com/"))).isEqualTo(80);
        assertThat(WebhookTargets.host(strict.parse("http://[2001:db8::1]:81/"))).isEqualTo("2001:db8::1");
        for (String url : new String[] { "ftp://example.com/", "file:///etc/passwd", "gopher://example.com/", "//example.com/",
                "http:///x", "http://u:p@example.com/", "http://example.com/#frag", "not a url" }) {
            assertThatThrownBy(() -> strict.parse(url)).as(url).isInstanceOf(ParleyException.class);
        }
    }
}

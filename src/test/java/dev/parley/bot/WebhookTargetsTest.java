package dev.parley.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;

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
        assertThat(relaxed.permits(InetAddress.getByName("127.0.0.1"))).isTrue();
    }

    @Test
    void privateSharedUniqueLocalAndReservedAddressesAreRefusedButForAllowedNetworks() throws Exception {
        String[] internal = { "10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.1.1", "100.64.0.1", "100.127.255.254",
                "0.1.2.3", "192.0.0.8", "198.18.0.1", "240.0.0.1", "255.255.255.255", "::ffff:10.0.0.1", "::10.0.0.1",
                "fc00::1", "fd12:3456::1", "fec0::1" };
        for (String address : internal) {
            assertThat(strict.permits(InetAddress.getByName(address))).as(address).isFalse();
            assertThat(relaxed.permits(InetAddress.getByName(address))).as(address).isTrue();
        }
        for (String url : new String[] { "http://10.0.0.5:8080/hook", "http://[fd00::5]/", "http://100.64.1.1/",
                "http://192.168.0.10/" }) {
            assertThatThrownBy(() -> strict.parse(url)).as(url).isInstanceOf(ParleyException.class)
                    .hasMessageContaining("local addresses");
        }
        // public addresses, and the edges just outside the refused blocks, pass
        for (String address : new String[] { "93.184.216.34", "172.15.255.255", "172.32.0.1", "100.63.255.255",
                "100.128.0.1", "198.20.0.1", "2606:2800:220:1::1" }) {
            assertThat(strict.permits(InetAddress.getByName(address))).as(address).isTrue();
        }
        // an operator lets bots reach one block of the cluster, and only that one
        WebhookTargets cluster = new WebhookTargets(false, List.of("10.42.0.0/16", "fd00:42::/32"));
        assertThat(cluster.permits(InetAddress.getByName("10.42.7.9"))).isTrue();
        assertThat(cluster.permits(InetAddress.getByName("fd00:42::9"))).isTrue();
        assertThat(cluster.permits(InetAddress.getByName("10.43.0.1"))).isFalse();
        assertThat(cluster.permits(InetAddress.getByName("127.0.0.1"))).isFalse();
        assertThat(cluster.parse("http://10.42.0.12:9000/hook").toString()).isEqualTo("http://10.42.0.12:9000/hook");
        assertThatThrownBy(() -> new WebhookTargets(false, List.of("10.42.0.0"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WebhookTargets(false, List.of("10.42.0.0/33"))).isInstanceOf(IllegalArgumentException.class);
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

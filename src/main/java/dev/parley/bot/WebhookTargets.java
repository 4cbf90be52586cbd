package dev.parley.bot;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.parley.config.ParleyConfig;
import dev.parley.problem.ParleyException;

/**
 * Where a webhook may point: an absolute {@code http} or {@code https} URL without credentials, never
 * at a wildcard or multicast address, and not into a network of the service's own: loopback,
 * link-local (cloud metadata), private (RFC 1918), shared (CGNAT), unique-local, IPv4-compatible and
 * reserved addresses are refused, but for the blocks in {@code parley.webhooks.allowed-networks} (a
 * bot service inside the cluster) or everything with {@code parley.webhooks.allow-local} (development
 * and tests). A name is checked when a bot is made only if it is an address or
 * {@code localhost}; the address every delivery actually connects to is checked again, so a name
 * that resolves (or later re-resolves) to a refused address is caught there.
 */
@ApplicationScoped
public class WebhookTargets {

    public static final int MAX_LENGTH = 2048;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    // Where a bot's owner could otherwise make the service call its own host, cloud or cluster.
    private static final List<Network> INTERNAL = Stream.of("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
            "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "240.0.0.0/4",
            "::/96", "fc00::/7", "fe80::/10", "fec0::/10").map(Network::parse).toList();

    private final boolean allowLocal;
    private final List<Network> allowed;

    @Inject
    public WebhookTargets(ParleyConfig config) {
        this(config.webhooks().allowLocal(), config.webhooks().allowedNetworks().orElse(List.of()));
    }

    public WebhookTargets(boolean allowLocal) {
        this(allowLocal, List.of());
    }

    public WebhookTargets(boolean allowLocal, List<String> allowedNetworks) {
        this.allowLocal = allowLocal;
        this.allowed = allowedNetworks.stream().map(Network::parse).toList();
    }

    /** The URL, normalised; {@code bad_request} saying why when a webhook may not have it. */
    public URI parse(String url) {
        if (url.length() > MAX_LENGTH) {
            throw ParleyException.badRequest("webhookUrl: at most " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url.strip()).normalize();
        } catch (URISyntaxException e) {
            throw ParleyException.badRequest("webhookUrl: not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ParleyException.badRequest("webhookUrl: only http and https URLs");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw ParleyException.badRequest("webhookUrl: a host is required");
        }
        if (uri.getRawUserInfo() != null) {
            throw ParleyException.badRequest("webhookUrl: must not carry credentials");
        }
        if (uri.getRawFragment() != null) {
            throw ParleyException.badRequest("webhookUrl: must not have a fragment");
        }
        String host = host(uri);
        if (!allowLocal && (host.equals("localhost") || host.endsWith(".localhost"))) {
            throw ParleyException.badRequest("webhookUrl: local addresses are not allowed");
        }
        if (isLiteral(host)) {
            try {
                if (!permits(InetAddress.getByName(host))) {
                    throw ParleyException.badRequest("webhookUrl: local addresses are not allowed");
                }
            } catch (UnknownHostException e) {
                throw ParleyException.badRequest("webhookUrl: not a valid address");
            }
        }
        return uri;
    }

    /** The URL's host, lower case, without the brackets of an IPv6 address. */
    public static String host(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** The port the URL names, or its scheme's. */
    public static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    /** Whether a delivery may connect to this address. */
    public boolean permits(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        if (allowLocal || allowed.stream().anyMatch(n -> n.contains(address))) {
            return true;
        }
        return !address.isLoopbackAddress() && !address.isLinkLocalAddress() && !address.isSiteLocalAddress()
                && INTERNAL.stream().noneMatch(n -> n.contains(address));
    }

    // A literal is parsed without a lookup; anything else is a name.
    private static boolean isLiteral(String host) {
        return IPV4.matcher(host).matches() || host.contains(":");
    }
}

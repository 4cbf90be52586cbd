package dev.parley.bot;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.parley.config.ParleyConfig;
import dev.parley.problem.ParleyException;

/**
 * Where a webhook may point: an absolute {@code http} or {@code https} URL without credentials and,
 * unless {@code parley.webhooks.allow-local}, not at a loopback, link-local (cloud metadata),
 * wildcard or multicast address. A name is checked when a bot is made only if it is an address or
 * {@code localhost}; the address every delivery actually connects to is checked again, so a name
 * that resolves (or later re-resolves) to a refused address is caught there.
 */
@ApplicationScoped
public class WebhookTargets {

    public static final int MAX_LENGTH = 2048;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final boolean allowLocal;

    @Inject
    public WebhookTargets(ParleyConfig config) {
        this(config.webhooks().allowLocal());
    }

    public WebhookTargets(boolean allowLocal) {
        this.allowLocal = allowLocal;
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
        return allowLocal || !(address.isLoopbackAddress() || address.isLinkLocalAddress());
    }

    // A literal is parsed without a lookup; anything else is a name.
    private static boolean isLiteral(String host) {
        return IPV4.matcher(host).matches() || host.contains(":");
    }
}

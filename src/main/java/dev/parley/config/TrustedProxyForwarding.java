package dev.parley.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * Turns Quarkus's forwarded-header handling on exactly when {@code parley.http.trusted-proxies} names
 * at least one proxy. Quarkus trusts every peer when forwarding is on and its
 * {@code quarkus.http.proxy.trusted-proxies} is empty (a client could then pick its own address, and
 * with it a fresh login and registration budget per request), and application.properties cannot make
 * one key depend on whether another is empty: so {@code quarkus.http.proxy.proxy-address-forwarding}
 * is answered here, whatever else sets it. The list itself reaches Quarkus in application.properties.
 */
public class TrustedProxyForwarding implements ConfigSourceInterceptor {

    private static final long serialVersionUID = 1L;

    static final String FORWARDING = "quarkus.http.proxy.proxy-address-forwarding";
    static final String TRUSTED_PROXIES = "parley.http.trusted-proxies";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (!FORWARDING.equals(name)) {
            return context.proceed(name);
        }
        // restart: the list as the application sees it, profile and expressions resolved
        ConfigValue proxies = context.restart(TRUSTED_PROXIES);
        boolean any = proxies != null && proxies.getValue() != null && !proxies.getValue().replace(",", "").isBlank();
        return ConfigValue.builder().withName(FORWARDING).withValue(String.valueOf(any))
                .withConfigSourceName("parley-trusted-proxies").build();
    }
}

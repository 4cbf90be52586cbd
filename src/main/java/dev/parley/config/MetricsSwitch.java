package dev.parley.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Turns every meter into a no-op when {@code parley.metrics.enabled} is false. Quarkus applies
 * {@link MeterFilter} beans to its registries before any meter exists, so a denied meter never
 * records; the code that records keeps one path either way.
 */
@Singleton
class MetricsSwitch {

    @Produces
    @Singleton
    MeterFilter metricsSwitch(ParleyConfig config) {
        return config.metrics().enabled() ? new MeterFilter() {
        } : MeterFilter.deny();
    }
}

package dev.parley.tracing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

/**
 * The span exporter of the tests: Quarkus exports to every SpanExporter bean (the default
 * {@code quarkus.otel.traces.exporter=cdi}), so tests read finished spans from memory. Unused while
 * the SDK is disabled, as it is everywhere but {@link TracingProfile}.
 */
@ApplicationScoped
public class InMemorySpanExporterProducer {

    @Produces
    @Singleton
    InMemorySpanExporter inMemorySpanExporter() {
        return InMemorySpanExporter.create();
    }
}

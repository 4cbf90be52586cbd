package dev.parley.tracing;

import java.util.List;
import java.util.function.Supplier;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

import dev.parley.problem.ErrorCode;
import dev.parley.problem.ParleyException;

/**
 * Parley's own spans: a frame handled ({@code parley.frame <type>}), a group-commit batch
 * ({@code parley.batch.commit}), an event published ({@code parley.publish}) and an event from
 * another instance delivered here ({@code parley.deliver}), the last one joined to the publish
 * through the W3C {@code traceparent} the event carries across Redis.
 *
 * <p>With the OpenTelemetry SDK disabled (the default) every place that could make a span first
 * tests {@link #on()}, a final field: no span, no builder, no context lookup is made on the hot
 * path. A singleton, so that the test is not behind a client proxy.
 */
@Singleton
public class Tracing {

    public static final AttributeKey<String> FRAME_TYPE = AttributeKey.stringKey("parley.frame.type");
    public static final AttributeKey<String> ROOM = AttributeKey.stringKey("parley.room");
    public static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("parley.event.type");
    public static final AttributeKey<Long> SEQ = AttributeKey.longKey("parley.seq");
    public static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("parley.batch.size");
    public static final AttributeKey<Long> BATCH_TRACED = AttributeKey.longKey("parley.batch.traced");
    public static final AttributeKey<String> ERROR_CODE = AttributeKey.stringKey("parley.error.code");
    public static final AttributeKey<Long> SINCE_COMMIT = AttributeKey.longKey("parley.since_commit_ms");
    private static final String TRACEPARENT = "traceparent";
    private static final TextMapGetter<String> ONE_VALUE = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(TRACEPARENT);
        }

        @Override
        public String get(String carrier, String key) {
            return TRACEPARENT.equals(key) ? carrier : null;
        }
    };

    private final boolean on;
    private final Tracer tracer;

    public Tracing(OpenTelemetry openTelemetry,
            @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean sdkDisabled) {
        this.on = !sdkDisabled;
        this.tracer = openTelemetry.getTracer("dev.parley");
    }

    /** Whether spans are made at all (the SDK is enabled). */
    public boolean on() {
        return on;
    }

    /**
     * Handles a frame inside its span {@code parley.frame <type>} (call only when {@link #on()}): the
     * span is current while the handling is set up and while its outcome travels downstream (the
     * answer, a log line about a failure), whichever thread brings it.
     */
    public <T> Uni<T> frame(String type, String room, Supplier<Uni<T>> handling) {
        // each frame is a request of its own, the root of its trace; the connection's span (the
        // upgrade's, where Quarkus traces it) is linked, not a parent: a trace per connection would
        // last for hours
        SpanBuilder builder = tracer.spanBuilder("parley.frame " + type).setSpanKind(SpanKind.SERVER).setNoParent()
                .setAttribute(FRAME_TYPE, type);
        SpanContext connection = Span.current().getSpanContext();
        if (connection.isValid()) {
            builder.addLink(connection);
        }
        if (room != null) {
            builder.setAttribute(ROOM, room);
        }
        Span span = builder.startSpan();
        return within(Context.current().with(span), span, handling);
    }

    /**
     * The Uni with the context current when it is subscribed made current again for its outcome:
     * what runs after a commit (the publish) stays in the trace of the request that caused it,
     * though the answer comes on a database connection's thread.
     */
    public <T> Uni<T> keepContext(Uni<T> uni) {
        if (!on) {
            return uni;
        }
        return Uni.createFrom().deferred(() -> within(Context.current(), null, () -> uni));
    }

    private static <T> Uni<T> within(Context context, Span span, Supplier<Uni<T>> work) {
        return Uni.createFrom().emitter(emitter -> {
            Cancellable[] upstream = new Cancellable[1];
            emitter.onTermination(() -> {
                if (upstream[0] != null) {
                    upstream[0].cancel(); // a no-op once the outcome is in
                }
                if (span != null) {
                    span.end();
                }
            });
            try (Scope outer = context.makeCurrent()) {
                upstream[0] = work.get().subscribe().with(item -> {
                    try (Scope inner = context.makeCurrent()) {
                        emitter.complete(item);
                    }
                }, failure -> {
                    failed(span, failure);
                    try (Scope inner = context.makeCurrent()) {
                        emitter.fail(failure);
                    }
                });
            } catch (RuntimeException e) {
                failed(span, e);
                emitter.fail(e);
            }
        });
    }

    /** The span of the request being served, for a batch to link to; null when nothing is traced. */
    public SpanContext current() {
        if (!on) {
            return null;
        }
        SpanContext context = Span.current().getSpanContext();
        return context.isValid() ? context : null;
    }

    /**
     * Starts the span of one group-commit batch: a child of its first traced change, linked to every
     * other one (a batch serves many requests, and a span has one parent). Null when none is traced.
     */
    public Span startBatch(List<SpanContext> traced, int size) {
        if (traced.isEmpty()) {
            return null;
        }
        SpanBuilder builder = tracer.spanBuilder("parley.batch.commit").setSpanKind(SpanKind.INTERNAL)
                .setParent(Context.root().with(Span.wrap(traced.get(0))))
                .setAttribute(BATCH_SIZE, (long) size).setAttribute(BATCH_TRACED, (long) traced.size());
        for (int i = 1; i < traced.size(); i++) {
            builder.addLink(traced.get(i));
        }
        return builder.startSpan();
    }

    /** Starts {@code parley.publish} as a child of the current span; null when there is none (nothing traced). */
    public Span startPublish(String room, String eventType, long seq) {
        if (!on || !Span.current().getSpanContext().isValid()) {
            return null;
        }
        return tracer.spanBuilder("parley.publish").setSpanKind(SpanKind.PRODUCER).setAttribute(ROOM, room)
                .setAttribute(EVENT_TYPE, eventType).setAttribute(SEQ, seq).startSpan();
    }

    /** The W3C {@code traceparent} of the span, to travel with the event; null for none. */
    public static String traceparent(Span span) {
        if (span == null) {
            return null;
        }
        String[] value = new String[1];
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), value, (carrier, key, v) -> {
            if (TRACEPARENT.equals(key)) {
                carrier[0] = v;
            }
        });
        return value[0];
    }

    /**
     * Runs the delivery of an event that another instance published inside {@code parley.deliver},
     * whose parent is that instance's publish (from the {@code traceparent} the event carried).
     */
    public void deliver(String traceparent, String room, String eventType, long seq, long committedAt, Runnable delivery) {
        if (!on || traceparent == null) {
            delivery.run();
            return;
        }
        Context remote = W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, ONE_VALUE);
        SpanBuilder builder = tracer.spanBuilder("parley.deliver").setSpanKind(SpanKind.CONSUMER).setParent(remote)
                .setAttribute(ROOM, room).setAttribute(EVENT_TYPE, eventType).setAttribute(SEQ, seq);
        if (committedAt > 0) {
            builder.setAttribute(SINCE_COMMIT, System.currentTimeMillis() - committedAt);
        }
        Span span = builder.startSpan();
        try (Scope scope = span.makeCurrent()) {
            delivery.run();
        } catch (RuntimeException e) {
            failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** Ends a span this class started (null: none), marking it failed by {@code failure} if there is one. */
    public static void end(Span span, Throwable failure) {
        if (span == null) {
            return;
        }
        failed(span, failure);
        span.end();
    }

    // A refusal of the client's request (an error frame it caused) is told by its code; only the
    // server's own failures mark the span failed.
    private static void failed(Span span, Throwable failure) {
        if (span == null || failure == null) {
            return;
        }
        if (failure instanceof ParleyException refused) {
            span.setAttribute(ERROR_CODE, refused.code().wire());
            if (refused.code() != ErrorCode.INTERNAL && refused.code() != ErrorCode.UNAVAILABLE) {
                return;
            }
        }
        span.recordException(failure);
        span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
    }
}

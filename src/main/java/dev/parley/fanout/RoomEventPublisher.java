package dev.parley.fanout;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.opentelemetry.api.trace.Span;

import dev.parley.tracing.Tracing;
import dev.parley.wire.FrameJson;

/**
 * Where room events leave the services that cause them. Each event is serialised once, into the
 * frame every subscriber gets, then handed to this instance's listener (the WebSocket gateway) and
 * to the {@link Broker} for the other instances. Services publish here after their change is
 * committed; they never call the gateway.
 */
@ApplicationScoped
public class RoomEventPublisher {

    private static final Logger LOG = Logger.getLogger(RoomEventPublisher.class);

    private final Broker broker;
    private final String instanceId;
    private final ObjectMapper mapper;
    private final FanoutMetrics metrics;
    private final Tracing tracing;
    private volatile Broker.Listener local;

    public RoomEventPublisher(Broker broker, @Named("instanceId") String instanceId, ObjectMapper mapper,
            FanoutMetrics metrics, Tracing tracing) {
        this.metrics = metrics;
        this.tracing = tracing;
        this.broker = broker;
        this.instanceId = instanceId;
        this.mapper = mapper;
    }

    /** Connects this instance's listener: it gets local events here and remote ones from the broker. */
    public void start(Broker.Listener listener) {
        this.local = listener;
        broker.start(tracing.on() ? new DeliverySpans(listener) : listener);
    }

    /** Each event from another instance delivered inside {@code parley.deliver}, joined to its publish. */
    private final class DeliverySpans implements Broker.Listener {
        private final Broker.Listener listener;

        DeliverySpans(Broker.Listener listener) {
            this.listener = listener;
        }

        @Override
        public void onEvent(String room, RoomEvent event) {
            tracing.deliver(event.trace(), room, event.type().wire(), event.seq(), event.committedAt(),
                    () -> listener.onEvent(room, event));
        }

        @Override
        public void onResubscribed() {
            listener.onResubscribed();
        }
    }

    /**
     * Delivers the event to this instance's subscribers at once, then to the other instances. Services
     * publish right after the commit, so a log entry is stamped now as committed, for the delivery
     * latency on every instance.
     */
    public void publish(String room, EventType type, long seq, String subject, Object payload) {
        // inside a traced request (tracing on), the publish is a span of its own, ended when Redis has it
        Span span = tracing.startPublish(room, type.wire(), seq);
        RoomEvent event = new RoomEvent(instanceId, seq, type, subject, frame(type, payload),
                seq > 0 ? System.currentTimeMillis() : 0, Tracing.traceparent(span));
        Broker.Listener listener = local;
        if (listener != null) {
            listener.onEvent(room, event);
        }
        broker.publish(room, event).subscribe().with(ok -> Tracing.end(span, null), e -> {
            Tracing.end(span, e);
            failed(type, "room " + room, "other instances repair it from PostgreSQL", e);
        });
    }

    private void failed(EventType type, String to, String consequence, Throwable e) {
        metrics.publishFailed();
        LOG.warnf("Publishing %s to %s failed (%s): %s", type.wire(), to, e.getMessage(), consequence);
    }

    /**
     * Delivers an event to every connection of {@code user}: this instance's at once, then the
     * other instances' (those where the user is connected listen to the user's channel).
     */
    public void publishToUser(String user, EventType type, String subject, Object payload) {
        RoomEvent event = new RoomEvent(instanceId, 0, type, subject, frame(type, payload));
        Broker.Listener listener = local;
        if (listener != null) {
            listener.onUserEvent(user, event);
        }
        broker.publishToUser(user, event).subscribe().with(ok -> {
        }, e -> failed(type, "user " + user, "their clients catch up when they reconnect", e));
    }

    /**
     * The channel every instance listens to for signals about accounts rather than rooms (no room
     * has this id: room ids are UUIDs).
     */
    public static final String CONTROL = "parley.control";

    /**
     * Signals every instance, this one first, that {@code user}'s connections must close (a revoked
     * bot). A signal lost to a broker outage is made up for by each instance's periodic check.
     */
    public void publishControl(EventType type, String user) {
        publish(CONTROL, type, 0, user, Map.of("user", user));
    }

    /** Whether the event was published by this instance (rather than received from another). */
    public boolean isLocal(RoomEvent event) {
        return instanceId.equals(event.origin());
    }

    /** The event as subscribers get it, without publishing it (for replays and repairs). */
    public RoomEvent event(EventType type, long seq, String subject, Object payload) {
        return new RoomEvent(instanceId, seq, type, subject, frame(type, payload));
    }

    /** {@code {"type":…}} followed by the payload's fields: the frame of a server-pushed event, in one pass. */
    public String frame(EventType type, Object payload) {
        try {
            return FrameJson.join("{\"type\":\"" + type.wire() + "\"", mapper.writeValueAsString(payload));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a " + type.wire() + " event", e);
        }
    }
}

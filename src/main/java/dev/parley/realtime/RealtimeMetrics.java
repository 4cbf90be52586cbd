package dev.parley.realtime;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.annotation.JsonSubTypes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OpenConnections;

import dev.parley.problem.ErrorCode;

/**
 * The WebSocket gateway's meters. Every tag value comes from a closed set fixed here (frame types,
 * error codes, close codes, delivery paths), never from a room, user or connection: the meters are
 * created up front, so a scrape shows each family at zero before the first event.
 */
@Singleton
public class RealtimeMetrics {

    /** Close codes told apart; any other is counted as {@code other}. */
    static final int[] CLOSE_CODES = { 1000, 1001, 1002, 1003, 1006, 1007, 1008, 1009, 1011, 1012, 1013 };
    static final String UNKNOWN_FRAME = "unknown";

    private final MeterRegistry registry;
    private final Counter opened;
    private final Map<Integer, Counter> closed = new HashMap<>();
    private final Counter closedOther;
    private final Counter slowClosed;
    private final Map<Class<?>, Counter> frames = new HashMap<>();
    private final Counter unknownFrames;
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
    private final Counter gateHolds;
    private final Counter repairEntries;
    private final Timer localDelivery;
    private final Timer remoteDelivery;

    public RealtimeMetrics(MeterRegistry registry, OpenConnections connections) {
        this.registry = registry;
        // websockets-next's own registry of open connections: no second count that could drift from it
        Gauge.builder("parley.connections.open", connections, c -> c.stream().count())
                .description("WebSocket connections open on this instance").strongReference(true).register(registry);
        this.opened = Counter.builder("parley.connections.opened").description("WebSocket connections opened")
                .register(registry);
        for (int code : CLOSE_CODES) {
            closed.put(code, closedCounter(String.valueOf(code)));
        }
        this.closedOther = closedCounter("other");
        this.slowClosed = Counter.builder("parley.connections.slow.closed")
                .description("Connections closed with 1013 because the client did not read its events")
                .register(registry);
        for (JsonSubTypes.Type type : ClientFrame.class.getAnnotation(JsonSubTypes.class).value()) {
            frames.put(type.value(), frameCounter(type.name()));
        }
        this.unknownFrames = frameCounter(UNKNOWN_FRAME);
        for (ErrorCode code : ErrorCode.values()) {
            errors.put(code, Counter.builder("parley.errors").description("Error frames sent on WebSocket connections")
                    .tag("code", code.wire()).register(registry));
        }
        this.gateHolds = Counter.builder("parley.live.gate.holds")
                .description("Log entries held by a room's gate because an earlier entry had not arrived yet")
                .register(registry);
        this.repairEntries = Counter.builder("parley.live.repair.entries")
                .description("Log entries read from PostgreSQL to fill gaps of the live stream").register(registry);
        this.localDelivery = deliveryTimer("local");
        this.remoteDelivery = deliveryTimer("remote");
    }

    /** The subscriptions gauge reads the hub's own registry of subscribers. */
    void subscriptions(Supplier<Number> count) {
        Gauge.builder("parley.subscriptions.open", count).description("Room subscriptions held on this instance")
                .strongReference(true).register(registry);
    }

    void opened() {
        opened.increment();
    }

    void closed(CloseReason reason) {
        Counter counter = reason == null ? null : closed.get(reason.getCode());
        (counter == null ? closedOther : counter).increment();
    }

    void slowConsumerClosed() {
        slowClosed.increment();
    }

    void frameReceived(ClientFrame frame) {
        frames.getOrDefault(frame.getClass(), unknownFrames).increment();
    }

    void unreadableFrame() {
        unknownFrames.increment();
    }

    void errorSent(ErrorCode code) {
        errors.get(code).increment();
    }

    void gateHeld() {
        gateHolds.increment();
    }

    void repaired(int entries) {
        repairEntries.increment(entries);
    }

    /**
     * One log entry reached this instance's sockets {@code millis} after its commit. Recorded once per
     * entry and instance, not per subscriber: a Timer with a histogram costs a few atomic updates, which
     * per subscriber would multiply by a room's audience on the hottest path, while the sockets of one
     * instance get an entry within the same loop over its subscribers anyway. Remote entries are timed
     * against the committing instance's clock: skew between hosts shifts them (clamped at 0).
     */
    void delivered(boolean local, long millis) {
        (local ? localDelivery : remoteDelivery).record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    private Counter closedCounter(String code) {
        return Counter.builder("parley.connections.closed").description("WebSocket connections closed, by close code")
                .tag("code", code).register(registry);
    }

    private Counter frameCounter(String type) {
        return Counter.builder("parley.frames.received").description("Frames received from clients, by type")
                .tag("type", type).register(registry);
    }

    private Timer deliveryTimer(String path) {
        return Timer.builder("parley.delivery.latency")
                .description("From a log entry's commit to its write to this instance's subscribers")
                .tag("path", path).publishPercentileHistogram().register(registry);
    }
}

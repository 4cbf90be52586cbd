package dev.parley.fanout;

import io.smallrye.mutiny.Uni;

/**
 * Carries room events from the instance where they happen to every other instance with local
 * subscribers of the room.
 *
 * <p>Guarantee: at most once, in publish order per publishing instance and room, only while the
 * link is up. Events published by this instance are never handed back to it (it has already
 * delivered them locally). Nothing is stored here: after the link drops and returns,
 * {@link Listener#onResubscribed()} tells the realtime layer to repair its rooms from PostgreSQL,
 * the source of truth.
 */
public interface Broker {

    /** Called once at start, before any subscription. */
    void start(Listener listener);

    /** Sends the event to the other instances; issued when called. Fails when the link is down. */
    Uni<Void> publish(String room, RoomEvent event);

    /**
     * Starts receiving the room's events; idempotent. The request is issued when this method is
     * called (not when the Uni is subscribed to), so calls reach the broker in call order; the Uni
     * completes once the broker confirmed the subscription.
     */
    Uni<Void> subscribe(String room);

    /** Stops receiving the room's events; idempotent; issued when called, like {@link #subscribe}. */
    Uni<Void> unsubscribe(String room);

    interface Listener {
        /** An event from another instance. Called on a Vert.x event-loop thread: do not block. */
        void onEvent(String room, RoomEvent event);

        /** The link dropped and is back, with every subscription restored: events may have been missed. */
        void onResubscribed();
    }
}

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
 *
 * <p>Besides one channel per room there is one channel per user, for events about a user's own
 * list of rooms (an instance listens to the users connected to it); the same guarantee holds.
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

    /** Sends an event meant for every connection of {@code user} to the other instances; issued when called. */
    Uni<Void> publishToUser(String user, RoomEvent event);

    /** Starts receiving the user's events; idempotent, issued when called, like {@link #subscribe}. */
    Uni<Void> subscribeUser(String user);

    /** Stops receiving the user's events; idempotent, issued when called. */
    Uni<Void> unsubscribeUser(String user);

    interface Listener {
        /** An event from another instance. Called on a Vert.x event-loop thread: do not block. */
        void onEvent(String room, RoomEvent event);

        /** An event for one user's connections, from another instance. Called on a Vert.x event-loop thread. */
        default void onUserEvent(String user, RoomEvent event) {
        }

        /** The link dropped and is back, with every subscription restored: events may have been missed. */
        void onResubscribed();
    }
}

package dev.parley.fanout;

import io.smallrye.mutiny.Uni;

/**
 * The single-instance broker (no Redis configured): there is no other instance to reach, and the
 * realtime layer has already delivered every event to this instance's subscribers.
 */
public class InProcessBroker implements Broker {

    @Override
    public void start(Listener listener) {
        // nothing to connect to
    }

    @Override
    public Uni<Void> publish(String room, RoomEvent event) {
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> subscribe(String room) {
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> unsubscribe(String room) {
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> publishToUser(String user, RoomEvent event) {
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> subscribeUser(String user) {
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> unsubscribeUser(String user) {
        return Uni.createFrom().voidItem();
    }
}

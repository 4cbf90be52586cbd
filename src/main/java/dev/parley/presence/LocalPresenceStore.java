package dev.parley.presence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.smallrye.mutiny.Uni;

import dev.parley.auth.UserView;

/** Presence without Redis: this instance's own, which is all there is of a single instance. */
final class LocalPresenceStore implements PresenceStore {

    private final Map<String, Map<String, UserView>> online = new ConcurrentHashMap<>();

    @Override
    public Uni<Arrival> arrive(String room, UserView user) {
        boolean[] came = new boolean[1];
        online.compute(room, (k, users) -> {
            Map<String, UserView> here = users == null ? new ConcurrentHashMap<>() : users;
            came[0] = here.put(user.id(), user) == null;
            return here;
        });
        return online(room).map(users -> new Arrival(came[0], users));
    }

    @Override
    public Uni<Boolean> depart(String room, String userId) {
        boolean[] went = new boolean[1];
        online.computeIfPresent(room, (k, users) -> {
            went[0] = users.remove(userId) != null;
            return users.isEmpty() ? null : users;
        });
        return Uni.createFrom().item(went[0]);
    }

    @Override
    public Uni<Changes> refresh(String room, Collection<UserView> here) {
        return Uni.createFrom().item(Changes.NONE);
    }

    @Override
    public Uni<List<UserView>> online(String room) {
        Map<String, UserView> users = online.get(room);
        return Uni.createFrom().item(users == null ? List.of() : new ArrayList<>(users.values()));
    }
}

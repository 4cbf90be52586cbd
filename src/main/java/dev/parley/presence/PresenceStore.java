package dev.parley.presence;

import java.util.Collection;
import java.util.List;

import io.smallrye.mutiny.Uni;

import dev.parley.auth.UserView;

/**
 * Where an instance records whom it has online in which room, and learns whom the others have:
 * Redis for every instance together, or this instance alone. Calls about one room take effect in
 * the order they are made.
 */
interface PresenceStore {

    /**
     * This instance now has the user online in the room: whether nobody had before (they came
     * online), and everyone online there now.
     */
    Uni<Arrival> arrive(String room, UserView user);

    /** This instance no longer has the user in the room; true when nobody has now (they went offline). */
    Uni<Boolean> depart(String room, String userId);

    /**
     * Renews this instance's hold on the users it has in the room, and drops the holds of instances
     * that stopped renewing theirs.
     */
    Uni<Changes> refresh(String room, Collection<UserView> here);

    /** Everyone online in the room, on any instance. */
    Uni<List<UserView>> online(String room);

    record Arrival(boolean cameOnline, List<UserView> online) {
    }

    /** Who came online (held again after their hold had lapsed) and who went offline, by a refresh. */
    record Changes(List<String> cameOnline, List<UserView> wentOffline) {
        static final Changes NONE = new Changes(List.of(), List.of());
    }
}

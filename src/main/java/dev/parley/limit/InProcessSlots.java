package dev.parley.limit;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.smallrye.mutiny.Uni;

/**
 * The slots of this instance alone: nothing lapses here, since what holds them dies with the
 * instance. The store without Redis, and the stand-in while Redis is unreachable.
 */
public class InProcessSlots implements Slots {

    private final ConcurrentHashMap<String, Set<String>> held = new ConcurrentHashMap<>();

    @Override
    public Uni<Boolean> acquire(String user, String slot, int limit, Duration lease) {
        boolean[] taken = { false };
        held.compute(user, (k, slots) -> {
            Set<String> s = slots == null ? new HashSet<>() : slots;
            if (s.contains(slot) || s.size() < limit) {
                s.add(slot);
                taken[0] = true;
            }
            return s.isEmpty() ? null : s;
        });
        return Uni.createFrom().item(taken[0]);
    }

    @Override
    public Uni<Void> renew(String user, Collection<String> slots, Duration lease) {
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> release(String user, String slot) {
        held.computeIfPresent(user, (k, s) -> {
            s.remove(slot);
            return s.isEmpty() ? null : s;
        });
        return Uni.createFrom().voidItem();
    }
}

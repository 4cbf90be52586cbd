package dev.parley.limit;

import java.time.Duration;
import java.util.Collection;

import io.smallrye.mutiny.Uni;

/**
 * Slots held per user (open connections), each with a lease that its holder renews: a slot whose
 * holder stops renewing (a crashed instance) lapses by itself and frees its place.
 */
public interface Slots {

    /** Holds {@code slot} for the user unless {@code limit} slots are held already; whether it was. */
    Uni<Boolean> acquire(String user, String slot, int limit, Duration lease);

    /** Renews the user's slots held here (putting back any that lapsed while they could not be renewed). */
    Uni<Void> renew(String user, Collection<String> slots, Duration lease);

    Uni<Void> release(String user, String slot);
}

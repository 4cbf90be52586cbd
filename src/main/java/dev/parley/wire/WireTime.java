package dev.parley.wire;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** The one timestamp format on the wire: ISO-8601 UTC with milliseconds, {@code 2026-11-24T18:37:05.123Z}. */
public final class WireTime {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

    private WireTime() {
    }

    public static String format(OffsetDateTime time) {
        return time == null ? null : FORMAT.format(time.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS));
    }
}

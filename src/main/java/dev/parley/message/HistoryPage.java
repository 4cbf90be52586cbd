package dev.parley.message;

import java.util.List;

/** A page of history, ascending by seq; {@code hasMore}: there are more in the direction asked. */
public record HistoryPage(List<MessageView> messages, boolean hasMore) {
}

package dev.parley.bot;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Bodies and answers of the bot endpoints. */
public final class BotRequests {

    private BotRequests() {
    }

    /** {@code webhookUrl}: outgoing webhooks are not built; a bot with one is refused (400). */
    public record Create(@NotBlank @Size(max = 64) String name, String webhookUrl) {
    }

    /** A new bot and its token: the token is shown here once and never again. */
    public record Created(String id, String username, String name, boolean bot, String token) {
    }

    /** A bot as its owner's list shows it (no token). */
    public record BotView(String id, String username, String name, boolean bot, String createdAt) {
    }
}

package dev.parley.bot;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Bodies and answers of the bot endpoints. */
public final class BotRequests {

    private BotRequests() {
    }

    /** {@code webhookUrl}: where the bot's rooms' new messages are POSTed (see {@link WebhookTargets}). */
    @Schema(name = "BotCreateRequest")
    public record Create(@NotBlank @Size(max = 64) String name, String webhookUrl) {
    }

    /**
     * A new bot, its token and, with a webhook, the secret its deliveries are signed with: both are
     * shown here once and never again.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "BotCreated")
    public record Created(String id, String username, String name, boolean bot, String webhookUrl, String token,
            String webhookSecret) {
    }

    /** A bot as its owner's list shows it (no token, no secret). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "Bot")
    public record BotView(String id, String username, String name, boolean bot, String webhookUrl, String createdAt) {
    }
}

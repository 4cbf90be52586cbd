package dev.parley.bot;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

import dev.parley.auth.TokenService;
import dev.parley.auth.User;
import dev.parley.auth.UserRepository;
import dev.parley.auth.UserView;
import dev.parley.config.ParleyConfig;
import dev.parley.config.RequestLimits;
import dev.parley.fanout.EventType;
import dev.parley.fanout.RoomEventPublisher;
import dev.parley.limit.LimitMetrics;
import dev.parley.problem.ParleyException;
import dev.parley.problem.UniqueViolation;
import dev.parley.wire.WireTime;

/**
 * Bot accounts: users of kind {@code bot} owned by the user who made them. A bot's token is a Parley
 * token that does not expire (a hundred years); it ends only when its owner deletes the bot, which
 * marks the account revoked: every check of the token then finds no user (401), and every
 * instance closes the bot's open sockets.
 */
@ApplicationScoped
public class BotService {

    // "Does not expire" in a token that must carry exp.
    private static final Duration TOKEN_LIFETIME = Duration.ofDays(36_525);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final UserRepository users;
    private final TokenService tokens;
    private final RoomEventPublisher publisher;
    private final ParleyConfig config;
    private final WebhookTargets targets;
    private final RequestLimits limits;
    private final LimitMetrics limitMetrics;

    public BotService(UserRepository users, TokenService tokens, RoomEventPublisher publisher, ParleyConfig config,
            WebhookTargets targets, RequestLimits limits, LimitMetrics limitMetrics) {
        this.limits = limits;
        this.limitMetrics = limitMetrics;
        this.users = users;
        this.tokens = tokens;
        this.publisher = publisher;
        this.config = config;
        this.targets = targets;
    }

    public Uni<BotRequests.Created> create(UserView caller, BotRequests.Create request) {
        if (caller.bot()) {
            return Uni.createFrom().failure(ParleyException.forbidden("a bot does not make bots"));
        }
        String webhookUrl;
        try {
            webhookUrl = request.webhookUrl() == null ? null : targets.parse(request.webhookUrl()).toString();
        } catch (ParleyException refused) {
            return Uni.createFrom().failure(refused);
        }
        String name = request.name().strip();
        return persist(caller, name, webhookUrl, 0)
                .map(bot -> new BotRequests.Created(bot.id, bot.username, bot.shownName(), true, bot.webhookUrl,
                        tokens.issue(bot, TOKEN_LIFETIME).token(), bot.webhookSecret));
    }

    // The count and the insert share one transaction holding the owner's row, so that two creations
    // at once cannot both take the last slot. The username comes from the name, with a random tail: a
    // taken name fails the transaction and is retried with another.
    private Uni<User> persist(UserView owner, String name, String webhookUrl, int attempt) {
        User bot = new User();
        bot.id = UUID.randomUUID().toString();
        bot.username = username(name);
        bot.displayName = name;
        bot.kind = User.KIND_BOT;
        bot.issuer = config.auth().issuer();
        bot.subject = bot.id;
        bot.ownerId = owner.id();
        bot.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
        if (webhookUrl != null) {
            bot.webhookUrl = webhookUrl;
            bot.webhookSecret = secret();
        }
        return Panache.withTransaction(() -> users.findById(owner.id(), LockModeType.PESSIMISTIC_WRITE)
                .chain(() -> users.count("ownerId = ?1 and kind = ?2 and revokedAt is null", owner.id(), User.KIND_BOT))
                .invoke(this::requireBotSlot)
                .chain(() -> users.persist(bot)))
                .onFailure(e -> UniqueViolation.is(e) && attempt < 5)
                .recoverWithUni(() -> persist(owner, name, webhookUrl, attempt + 1));
    }

    // The quota is decided in config (below the limit package), counted here.
    private void requireBotSlot(long owned) {
        try {
            limits.requireBotSlot(owned);
        } catch (ParleyException refused) {
            limitMetrics.rateLimited(LimitMetrics.BOTS);
            throw refused;
        }
    }

        // 256 random bits, hex: the HMAC key of the bot's deliveries.
    private static String secret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return HexFormat.of().formatHex(key);
    }

    // 3 to 32 of [a-z0-9_.-], as every username: "deploy-bot-k3x9q".
    private static String username(String name) {
        String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > 20) {
            slug = slug.substring(0, 20).replaceAll("-+$", "");
        }
        String tail = Long.toString(Math.floorMod(UUID.randomUUID().getLeastSignificantBits(), 36L * 36 * 36 * 36 * 36), 36);
        return (slug.isEmpty() ? "" : slug + "-") + "bot-" + tail;
    }

    /** The caller's bots that are not revoked, oldest first. */
    public Uni<List<BotRequests.BotView>> list(UserView caller) {
        return Panache.withSession(() -> users.list("ownerId = ?1 and kind = ?2 and revokedAt is null order by createdAt, id",
                caller.id(), User.KIND_BOT))
                .map(bots -> bots.stream().map(b -> new BotRequests.BotView(b.id, b.username, b.shownName(), true,
                        b.webhookUrl, WireTime.format(b.createdAt))).toList());
    }

    /** Revokes one of the caller's bots at once; {@code not_found} for anything else (no hint whose it is). */
    public Uni<Void> revoke(UserView caller, String botId) {
        return Panache.withTransaction(() -> users.findById(botId).invoke(bot -> {
            if (bot == null || !User.KIND_BOT.equals(bot.kind) || !caller.id().equals(bot.ownerId) || bot.revokedAt != null) {
                throw ParleyException.notFound("no such bot");
            }
            bot.revokedAt = OffsetDateTime.now(ZoneOffset.UTC);
        })).invoke(() -> publisher.publishControl(EventType.USER_REVOKED, botId)).replaceWithVoid();
    }
}

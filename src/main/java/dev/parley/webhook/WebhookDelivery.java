package dev.parley.webhook;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Named;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

import dev.parley.config.ParleyConfig;
import dev.parley.message.MessageRepository;
import dev.parley.message.MessageView;

/**
 * Delivers every new message of a bot's rooms (not its own, not deleted ones) to its webhook, at
 * least once and in seq order per room. Every {@code parley.webhooks.poll-interval} an instance
 * leases the cursors with something to deliver ({@link WebhookCursors}) and reads the messages
 * after each from the log: sends never wait for a webhook, and a dead endpoint holds up only its
 * own cursor. A failed delivery is retried with doubling waits; a message still failing after
 * {@code parley.webhooks.retry-for} is given up and the next one is tried.
 */
@ApplicationScoped
public class WebhookDelivery {

    private static final Logger LOG = Logger.getLogger(WebhookDelivery.class);
    private static final int CLAIMS_PER_POLL = 32;
    private static final int PAGE = 50;
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);

    /**
     * The body of a delivery, as DESIGN.md has it: the room and the message (whose seq de-duplicates).
     * Serialized here, outside any REST signature: registered for reflection for the native image.
     */
    @RegisterForReflection
    public record Payload(String room, MessageView message) {
    }

    private final WebhookCursors cursors;
    private final MessageRepository messages;
    private final WebhookSender sender;
    private final Pool pool;
    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final ParleyConfig.Webhooks config;
    private final String instanceId;
    private final long leaseMillis;
    private final AtomicBoolean polling = new AtomicBoolean();
    private final Counter delivered;
    private final Counter failed;
    private final Counter givenUp;
    private volatile boolean stopped;
    private volatile long timer = -1;

    public WebhookDelivery(WebhookCursors cursors, MessageRepository messages, WebhookSender sender, Pool pool,
            ObjectMapper mapper, Vertx vertx, ParleyConfig config, @Named("instanceId") String instanceId,
            MeterRegistry registry) {
        this.cursors = cursors;
        this.messages = messages;
        this.sender = sender;
        this.pool = pool;
        this.mapper = mapper;
        this.vertx = vertx;
        this.config = config.webhooks();
        this.instanceId = instanceId;
        // a lease outlives any one delivery, and is renewed after each
        this.leaseMillis = Math.max(30_000, 3 * this.config.timeout().toMillis());
        this.delivered = deliveries(registry, "delivered");
        this.failed = deliveries(registry, "failed");
        this.givenUp = deliveries(registry, "given_up");
    }

    private static Counter deliveries(MeterRegistry registry, String outcome) {
        return Counter.builder("parley.webhook.deliveries").description("Webhook delivery attempts, by outcome")
                .tag("outcome", outcome).register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled()) {
            timer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> poll());
        }
    }

    // Before the beans go away: a poll still running then fails on them. One cut short is not lost:
    // its cursor is only advanced after each answered delivery, and its lease lapses for another
    // instance to resume.
    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        while (polling.get() && System.nanoTime() < deadline) {
            Thread.sleep(10); // the shutdown thread, never an event loop
        }
        if (polling.get()) {
            LOG.infof("Shutdown: a webhook delivery is still waiting for its endpoint; its lease lapses after %d s "
                    + "and another instance resumes it", leaseMillis / 1000);
        }
    }

    // One poll at a time per instance: a slow one is not overtaken by the next.
    private void poll() {
        if (stopped || !polling.compareAndSet(false, true)) {
            return;
        }
        cursors.sync()
                .chain(() -> cursors.claim(instanceId, CLAIMS_PER_POLL, leaseMillis))
                .chain(claims -> claims.isEmpty() ? Uni.createFrom().voidItem()
                        : Multi.createFrom().iterable(claims).onItem().transformToUniAndMerge(this::deliver)
                                .collect().last().replaceWithVoid())
                .subscribe().with(v -> polling.set(false), e -> {
                    polling.set(false);
                    if (!stopped) {
                        LOG.warnf("Webhook delivery poll failed (%s); trying again in %s", e.getMessage(), config.pollInterval());
                    }
                });
    }

    // The cursor's messages in order, a page at a time, until all are delivered or one fails.
    private Uni<Void> deliver(WebhookCursors.Claim claim) {
        return page(claim, claim.deliveredSeq(), true)
                .onFailure().recoverWithUni(e -> {
                    if (!stopped) {
                        LOG.warnf("Webhook delivery for bot %s in room %s stopped: %s", claim.bot(), claim.room(), e.getMessage());
                    }
                    return cursors.release(claim, instanceId).onFailure().recoverWithNull();
                });
    }

    private Uni<Void> page(WebhookCursors.Claim claim, long after, boolean first) {
        return messages.oldestAfter(pool, claim.room(), after, null, PAGE)
                .chain(page -> {
                    boolean more = page.size() > PAGE;
                    List<MessageView> batch = more ? page.subList(0, PAGE) : page;
                    return each(claim, batch, 0, first).chain(last -> {
                        if (last == null) {
                            return Uni.createFrom().voidItem(); // a delivery failed, or the lease was lost
                        }
                        if (more) {
                            return page(claim, last, false);
                        }
                        // entries after the last message (edits, reactions) are not delivered: past them
                        return cursors.advance(claim, Math.max(last, claim.lastSeq()), instanceId, leaseMillis)
                                .chain(held -> held ? cursors.release(claim, instanceId) : Uni.createFrom().voidItem());
                    });
                });
    }

    // Delivers batch[i..]; the seq delivered up to, or null when it stopped. While first, nothing has
    // been delivered in this claim: a failure continues the claimed cursor's count of attempts.
    private Uni<Long> each(WebhookCursors.Claim claim, List<MessageView> batch, int i, boolean first) {
        if (stopped) {
            return cursors.release(claim, instanceId).replaceWith((Long) null);
        }
        if (i == batch.size()) {
            return Uni.createFrom().item(batch.isEmpty() ? claim.deliveredSeq() : batch.get(i - 1).seq());
        }
        MessageView message = batch.get(i);
        if (message.user().id().equals(claim.bot()) || Boolean.TRUE.equals(message.deleted())) {
            return each(claim, batch, i + 1, first);
        }
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(new Payload(claim.room(), message));
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return sender.post(claim.url(), claim.secret(), claim.room() + ":" + message.seq(), body).chain(outcome -> {
            if (outcome.delivered()) {
                delivered.increment();
                return cursors.advance(claim, message.seq(), instanceId, leaseMillis)
                        .chain(held -> held ? each(claim, batch, i + 1, false) : Uni.createFrom().nullItem());
            }
            failed.increment();
            OffsetDateTime since = first ? claim.failingSince() : null;
            if (since != null && since.plus(config.retryFor()).isBefore(OffsetDateTime.now())) {
                givenUp.increment();
                LOG.warnf("Webhook of bot %s gave up on message %s:%d after %s: %s", claim.bot(), claim.room(),
                        message.seq(), config.retryFor(), outcome.error());
                return cursors.advance(claim, message.seq(), instanceId, leaseMillis)
                        .chain(held -> held ? each(claim, batch, i + 1, false) : Uni.createFrom().nullItem());
            }
            int attempts = first ? claim.attempts() : 0;
            LOG.debugf("Webhook of bot %s failed on message %s:%d (attempt %d): %s", claim.bot(), claim.room(), message.seq(),
                    attempts + 1, outcome.error());
            return cursors.failed(claim, outcome.error(), backoff(attempts).toMillis(), instanceId).replaceWith((Long) null);
        });
    }

    // backoff, 2 × backoff, 4 × … up to five minutes
    private Duration backoff(int attempts) {
        Duration wait = config.backoff().multipliedBy(1L << Math.min(attempts, 20));
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }
}

package dev.parley.testsupport;

import static dev.parley.testsupport.Frames.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.LongStream;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Chat traffic for fault tests: clients on several instances, each subscribed to every room and
 * sending to them in turn, every send with a {@code clientMsgId} and retried until acknowledged
 * (after {@code unavailable}, a timeout or a lost connection). A client whose connection drops
 * connects to its fallback instance and resumes each room with {@code since}.
 *
 * <p>{@link #assertFaithful} then checks per client and room what the live stream promises: every
 * entry from the subscribe on, once, in order, without gaps; and that what was acknowledged is
 * exactly what was stored.
 */
public final class ChatTraffic implements AutoCloseable {

    /** One acknowledged send. */
    public record Ack(String room, long seq, String clientMsgId, String sender, long at) {
    }

    private final List<String> rooms;
    private final List<Client> clients = new ArrayList<>();
    private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final List<Thread> senders = new ArrayList<>();
    private final Map<String, Integer> errors = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "traffic-ticks");
        t.setDaemon(true);
        return t;
    });

    public ChatTraffic(List<String> rooms) {
        this.rooms = rooms;
    }

    /** A client of {@code user} on {@code home}, subscribed to every room; it falls back to {@code fallback}. */
    public Client connect(String name, TestUsers.TestUser user, ParleyProcess home, ParleyProcess fallback) {
        Client c = new Client(name, user, fallback);
        c.connect(home);
        clients.add(c);
        return c;
    }

    public List<Client> clients() {
        return clients;
    }

    /**
     * Every client sends one message every {@code interval}, until {@link #stop}: each tick gives
     * every client a permit for one attempt (a send, or the retry of one).
     */
    public void start(Duration interval) {
        sending.set(true);
        ticks.scheduleAtFixedRate(() -> clients.forEach(c -> {
            if (c.permits.availablePermits() == 0) {
                c.permits.release();
            }
        }), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        for (Client c : clients) {
            Thread t = new Thread(c::sendLoop, "traffic-" + c.name);
            t.setDaemon(true);
            senders.add(t);
            t.start();
        }
    }

    /** Stops sending; every send under way is retried until acknowledged before this returns. */
    public void stop() throws InterruptedException {
        sending.set(false);
        for (Thread t : senders) {
            t.join(120_000);
            assertThat(t.isAlive()).as("sender %s still retrying after 2 minutes", t.getName()).isFalse();
        }
        senders.clear();
    }

    /** An entry the test committed itself, bypassing Parley (so it was never published): it counts as acknowledged. */
    public void recordUnpublished(String room, long seq, String clientMsgId) {
        acks.add(new Ack(room, seq, clientMsgId, "unpublished", System.nanoTime()));
    }

    public List<Ack> acks() {
        return List.copyOf(acks);
    }

    /** How many answers of each error code the senders got (each was retried). */
    public Map<String, Integer> errors() {
        return Map.copyOf(errors);
    }

    /** Waits until every client has every entry of every room up to the newest acknowledged. */
    public void awaitDelivered(Duration atMost) {
        Map<String, Long> last = lastAcked();
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> clients.stream().allMatch(c ->
                rooms.stream().allMatch(r -> c.lastSeen(r) >= last.getOrDefault(r, 0L))));
    }

    /**
     * Per client and room: the entries received are exactly start+1 … the newest stored, each once,
     * in order (so nothing was lost, duplicated, reordered or skipped while connected); and the
     * acknowledged sends are exactly the stored ones. {@code stored} gives, per room, the
     * {@code clientMsgId} of each stored seq (index 0 is seq 1).
     */
    public Figures assertFaithful(Function<String, List<String>> stored) {
        Map<String, Long> lastStored = new HashMap<>();
        int ackedTotal = 0;
        for (String room : rooms) {
            List<String> ids = stored.apply(room);
            lastStored.put(room, (long) ids.size());
            List<Ack> roomAcks = acks.stream().filter(a -> a.room().equals(room)).toList();
            ackedTotal += roomAcks.size();
            // every ack names the seq its clientMsgId was stored at, and every stored entry was acked once
            for (Ack a : roomAcks) {
                assertThat(ids.get((int) a.seq() - 1)).as("stored at %s:%d", room, a.seq()).isEqualTo(a.clientMsgId());
            }
            assertThat(roomAcks.stream().map(Ack::clientMsgId).distinct().count()).as("acks in %s", room)
                    .isEqualTo(roomAcks.size());
            assertThat(ids).as("stored entries of %s are the acknowledged sends", room)
                    .containsExactlyInAnyOrderElementsOf(roomAcks.stream().map(Ack::clientMsgId).toList());
        }
        for (Client c : clients) {
            for (String room : rooms) {
                long from = c.start.get(room);
                List<Long> expected = LongStream.rangeClosed(from + 1, lastStored.get(room)).boxed().toList();
                assertThat(c.seqs(room)).as("what %s received in %s", c.name, room).containsExactlyElementsOf(expected);
            }
        }
        return new Figures(ackedTotal, clients.size());
    }

    /** What a run did, for the record. */
    public record Figures(int acknowledged, int clients) {
    }

    /** The newest acknowledged seq per room. */
    public Map<String, Long> lastAcked() {
        Map<String, Long> last = new HashMap<>();
        for (Ack a : acks) {
            last.merge(a.room(), a.seq(), Math::max);
        }
        return last;
    }

    @Override
    public void close() {
        sending.set(false);
        ticks.shutdownNow();
        for (Client c : clients) {
            c.close();
        }
    }

    /** One user's connection, with the connections it had before (their frames count too). */
    public final class Client implements AutoCloseable {
        private final String name;
        private final TestUsers.TestUser user;
        private final ParleyProcess fallback;
        private final Map<String, Long> start = new ConcurrentHashMap<>();
        private final List<WsClient> past = new CopyOnWriteArrayList<>();
        private volatile WsClient ws;
        private volatile ParleyProcess instance;
        private volatile int reconnects;
        private final Semaphore permits = new Semaphore(0);

        private Client(String name, TestUsers.TestUser user, ParleyProcess fallback) {
            this.name = name;
            this.user = user;
            this.fallback = fallback;
        }

        public String name() {
            return name;
        }

        public ParleyProcess instance() {
            return instance;
        }

        public int reconnects() {
            return reconnects;
        }

        public WsClient ws() {
            return ws;
        }

        /** Connects to {@code to} and subscribes to every room, resuming with since after the first time. */
        public synchronized void connect(ParleyProcess to) {
            WsClient c = WsClient.connectWithHeader(to.ws(), user.token());
            WsClient before = ws;
            if (before != null) {
                past.add(before);
                reconnects++;
            }
            ws = c;
            instance = to;
            for (String room : rooms) {
                Long since = start.containsKey(room) ? lastSeen(room) : null;
                JsonNode ok = c.subscribe(room, since);
                start.putIfAbsent(room, ok.path("lastSeq").asLong());
            }
        }

        /** The seqs of the message entries received in the room, over all connections, in arrival order. */
        public List<Long> seqs(String room) {
            List<Long> seqs = new ArrayList<>();
            List<WsClient> all = new ArrayList<>(past);
            if (ws != null) {
                all.add(ws);
            }
            for (WsClient c : all) {
                for (JsonNode m : c.events("message", room)) {
                    seqs.add(m.path("seq").asLong());
                }
            }
            return seqs;
        }

        public long lastSeen(String room) {
            List<Long> seqs = seqs(room);
            return seqs.isEmpty() ? start.getOrDefault(room, 0L) : seqs.get(seqs.size() - 1);
        }

        private void sendLoop() {
            int n = 0;
            while (sending.get() && awaitPermit()) {
                String room = rooms.get(n % rooms.size());
                sendUntilAcked(room, name + "-" + n);
                n++;
            }
        }

        // The next tick of the traffic's clock; false once it stopped ticking and no retry is due.
        private boolean awaitPermit() {
            try {
                return permits.tryAcquire(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        private void sendUntilAcked(String room, String clientMsgId) {
            for (int attempt = 0;; attempt++) {
                // a retry waits for the next tick, like a new send
                if (attempt > 0 && !awaitPermit() && Thread.currentThread().isInterrupted()) {
                    return;
                }
                try {
                    if (!ws.isOpen()) {
                        connect(fallback);
                    }
                    String id = clientMsgId + "/" + attempt;
                    WsClient c = ws;
                    CompletableFuture<JsonNode> answered = c.answerTo(id);
                    c.send(frame("send", id, "room", room, "text", "from " + name, "clientMsgId", clientMsgId));
                    JsonNode answer = awaitAnswer(answered);
                    if (answer != null && "ok".equals(answer.path("type").asText())) {
                        acks.add(new Ack(room, answer.path("seq").asLong(), clientMsgId, name, System.nanoTime()));
                        return;
                    }
                    errors.merge(answer == null ? "no answer" : answer.path("code").asText(), 1, Integer::sum);
                } catch (RuntimeException e) {
                    errors.merge("connection: " + e.getClass().getSimpleName(), 1, Integer::sum);
                }
            }
        }

        // The answer, or null when none came within 10 s or the connection closed first.
        private JsonNode awaitAnswer(CompletableFuture<JsonNode> answered) {
            try {
                return answered.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException | TimeoutException e) {
                return null;
            }
        }

        @Override
        public void close() {
            if (ws != null) {
                ws.close();
            }
        }
    }
}

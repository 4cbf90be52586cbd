package dev.parley.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;

import dev.parley.auth.UserView;

/**
 * The outbound limit counts the bytes a frame takes on the wire, not its characters; one answer is
 * sent whole however large, and only what waits behind it counts.
 */
class ClientSessionTest {

    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger closedWith = new AtomicInteger();

    @Test
    void multiByteTextReachesTheLimitByItsUtf8Size() {
        ClientSession session = new ClientSession(new UserView("u", "user", "User", false), stalledConnection(), 3_000,
                new SendBudget(0, 0));
        String cjk = "語".repeat(900); // 900 characters, 2,700 bytes
        session.writeEvent(cjk);
        assertThat(closedWith.get()).isZero();
        session.writeEvent("語".repeat(101)); // 1,001 characters in all, but 3,003 bytes: over the 3,000-byte limit
        assertThat(closedWith.get()).isEqualTo(ClientSession.SLOW_CONSUMER_CLOSE);
        assertThat(sent.get()).isEqualTo(1);
        session.writeEvent("more");
        assertThat(sent.get()).isEqualTo(1); // nothing more is written to a slow consumer
    }

    @Test
    void asciiCountsOneBytePerCharacter() {
        ClientSession session = new ClientSession(new UserView("u", "user", "User", false), stalledConnection(), 3_000,
                new SendBudget(0, 0));
        session.writeEvent("a".repeat(3_000));
        assertThat(closedWith.get()).isZero();
        session.writeEvent("b");
        assertThat(closedWith.get()).isEqualTo(ClientSession.SLOW_CONSUMER_CLOSE);
    }

    @Test
    void oneAnswerLargerThanTheLimitIsSentWholeAndEventsBehindItAreNotChargedForIt() {
        ClientSession session = new ClientSession(new UserView("u", "user", "User", false), stalledConnection(), 3_000,
                new SendBudget(0, 0));
        session.answer(List.of("r".repeat(2_000), "ok".repeat(2_000))); // a replay and its ok: 6,000 bytes
        session.writeEvent("e".repeat(2_999));
        assertThat(closedWith.get()).isZero();
        assertThat(sent.get()).isEqualTo(3);
    }

    @Test
    void aClientThatKeepsAskingWithoutReadingIsClosedOnceMoreThanTheLimitOfAnswersWaits() {
        ClientSession session = new ClientSession(new UserView("u", "user", "User", false), stalledConnection(), 3_000,
                new SendBudget(0, 0));
        session.answer("a".repeat(3_000));
        assertThat(closedWith.get()).isZero();
        session.answer("b");
        assertThat(closedWith.get()).isZero(); // 3,000 waiting: not more than the limit yet
        session.answer("c");
        assertThat(closedWith.get()).isEqualTo(ClientSession.SLOW_CONSUMER_CLOSE);
        assertThat(sent.get()).isEqualTo(2);
    }

    // A client that reads nothing: every send stays outstanding.
    private WebSocketConnection stalledConnection() {
        return (WebSocketConnection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { WebSocketConnection.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "sendText" -> {
                        sent.incrementAndGet();
                        yield Uni.createFrom().nothing();
                    }
                    case "close" -> {
                        closedWith.set(((CloseReason) args[0]).getCode());
                        yield Uni.createFrom().voidItem();
                    }
                    case "toString" -> "stalled connection";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}

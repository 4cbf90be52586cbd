package dev.parley.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.parley.auth.UserView;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;

/** The outbound limit counts the bytes a frame takes on the wire, not its characters. */
class ClientSessionTest {

    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger closedWith = new AtomicInteger();

    @Test
    void multiByteTextReachesTheLimitByItsUtf8Size() {
        ClientSession session = new ClientSession(new UserView("u", "user", "User"), stalledConnection(), 3_000,
                new SendBudget(0, 0));
        String cjk = "語".repeat(900); // 900 characters, 2,700 bytes
        session.write(cjk);
        assertThat(closedWith.get()).isZero();
        session.write("語".repeat(101)); // 1,001 characters in all, but 3,003 bytes: over the 3,000-byte limit
        assertThat(closedWith.get()).isEqualTo(ClientSession.SLOW_CONSUMER_CLOSE);
        assertThat(sent.get()).isEqualTo(1);
        session.write("more");
        assertThat(sent.get()).isEqualTo(1); // nothing more is written to a slow consumer
    }

    @Test
    void asciiCountsOneBytePerCharacter() {
        ClientSession session = new ClientSession(new UserView("u", "user", "User"), stalledConnection(), 3_000,
                new SendBudget(0, 0));
        session.write("a".repeat(3_000));
        assertThat(closedWith.get()).isZero();
        session.write("b");
        assertThat(closedWith.get()).isEqualTo(ClientSession.SLOW_CONSUMER_CLOSE);
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

package dev.parley.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/** Batching, order, the timeout of a hung batch and the queue bound, against a Redis that answers when told. */
class PublishPipelineTest {

    /** Each write the pipeline made: the requests it carried and the promise that answers it. */
    private record Write(List<Request> requests, Promise<Object> answer) {
    }

    private final List<Write> writes = new CopyOnWriteArrayList<>();

    @Test
    void aLonePublishLeavesAtOnceAndWhatQueuesMeanwhileLeavesAsOneBatchInOrder() {
        PublishPipeline pipeline = new PublishPipeline(redis(), Duration.ofSeconds(10));
        AtomicInteger done = new AtomicInteger();
        subscribe(pipeline.publish(publish("a"), false), done, null);
        assertThat(writes).hasSize(1);
        for (String m : List.of("b", "c", "d")) {
            subscribe(pipeline.publish(publish(m), false), done, null);
        }
        assertThat(writes).hasSize(1); // one batch in flight

        writes.get(0).answer().complete(null);
        assertThat(done.get()).isEqualTo(1);
        assertThat(writes).hasSize(2);
        assertThat(writes.get(1).requests()).extracting(Request::toString)
                .containsExactly(publish("b").toString(), publish("c").toString(), publish("d").toString());

        writes.get(1).answer().complete(null);
        assertThat(done.get()).isEqualTo(4);
    }

    @Test
    void aBatchThatIsNeverAnsweredFailsAfterTheTimeoutAndTheNextOneLeaves() {
        PublishPipeline pipeline = new PublishPipeline(redis(), Duration.ofMillis(200));
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        subscribe(pipeline.publish(publish("hung"), false), done, failed);
        subscribe(pipeline.publish(publish("next"), false), done, failed);
        await().atMost(Duration.ofSeconds(5)).until(() -> writes.size() == 2);
        assertThat(failed.get()).isEqualTo(1);
        writes.get(1).answer().complete(null);
        assertThat(done.get()).isEqualTo(1);
        writes.get(0).answer().complete(null); // a late answer changes nothing
        assertThat(done.get()).isEqualTo(1);
        assertThat(failed.get()).isEqualTo(1);
    }

    @Test
    void publishesBeyondTheQueueBoundFailAtOnce() {
        PublishPipeline pipeline = new PublishPipeline(redis(), Duration.ofSeconds(10));
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        subscribe(pipeline.publish(publish("in flight"), false), done, failed);
        for (int i = 0; i < PublishPipeline.MAX_QUEUED + 10; i++) {
            subscribe(pipeline.publish(publish("m" + i), false), done, failed);
        }
        assertThat(failed.get()).isEqualTo(10);
        assertThat(done.get()).isZero();
    }

    @Test
    void anEssentialPublishIsQueuedEvenBeyondTheBound() {
        PublishPipeline pipeline = new PublishPipeline(redis(), Duration.ofSeconds(10));
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        subscribe(pipeline.publish(publish("in flight"), false), done, failed);
        for (int i = 0; i < PublishPipeline.MAX_QUEUED; i++) {
            subscribe(pipeline.publish(publish("m" + i), false), done, failed);
        }
        subscribe(pipeline.publish(publish("member.left"), true), done, failed);
        assertThat(failed.get()).isZero();
        writes.get(0).answer().complete(null);
        assertThat(writes).hasSize(2);
    }

    private static void subscribe(Uni<Void> publish, AtomicInteger done, AtomicInteger failed) {
        publish.subscribe().with(v -> done.incrementAndGet(), e -> {
            if (failed != null) {
                failed.incrementAndGet();
            }
        });
    }

    private static Request publish(String message) {
        return Request.cmd(Command.PUBLISH).arg("channel").arg(message);
    }

    @SuppressWarnings("unchecked")
    private Redis redis() {
        return (Redis) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Redis.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "send" -> write(List.of((Request) args[0]));
                    case "batch" -> write((List<Request>) args[0]);
                    case "toString" -> "scripted redis";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private Object write(List<Request> requests) {
        Promise<Object> answer = Promise.promise();
        writes.add(new Write(List.copyOf(requests), answer));
        return answer.future();
    }
}

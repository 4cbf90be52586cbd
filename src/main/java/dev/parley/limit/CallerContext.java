package dev.parley.limit;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * A Redis reply arrives on the Redis connection's context, and a timeout around it on a scheduler
 * thread. What the caller does next may open a Hibernate Reactive session, which lives in the
 * caller's (duplicated) context: continued on another context, concurrent requests would share one
 * session. So every counter answer is handed back on the context that asked for it.
 */
final class CallerContext {

    private CallerContext() {
    }

    static <T> Uni<T> resumeOnCaller(Uni<T> answer) {
        return Uni.createFrom().deferred(() -> {
            Context caller = Vertx.currentContext();
            return caller == null ? answer : answer.emitOn(task -> caller.runOnContext(v -> task.run()));
        });
    }
}

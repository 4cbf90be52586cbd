package dev.parley.config;

import java.util.List;

import jakarta.inject.Singleton;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgPool;
import io.vertx.sqlclient.Pool;

/**
 * The reactive PostgreSQL pool as Quarkus configures it, with one change: statements up to
 * {@link #CACHED_SQL_LIMIT} characters are kept prepared per connection. The Vert.x default limit
 * is 2,048 characters, and the room log's append statement (one statement for a whole batch) is
 * longer, so every batch parsed and planned it again: 1 ms of the 4.3 ms PostgreSQL spent per
 * batch, measured from its statement log.
 */
@Singleton
public class DatabasePool implements PgPoolCreator {

    /** Longer than any statement Parley sends, short enough to keep ad-hoc text out of the cache. */
    static final int CACHED_SQL_LIMIT = 8192;

    @Override
    public Pool create(Input input) {
        List<PgConnectOptions> servers = input.pgConnectOptionsList();
        for (PgConnectOptions server : servers) {
            server.setCachePreparedStatements(true).setPreparedStatementCacheSqlLimit(CACHED_SQL_LIMIT);
        }
        // Quarkus expects a PgPool from a creator; PgPool.pool is its factory in Vert.x 4.
        return PgPool.pool(input.vertx(), servers, input.poolOptions());
    }
}

package dev.parley.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.CompositeException;
import io.vertx.pgclient.PgException;

class DependencyFailureTest {

    @Test
    void aWriteOnASocketThePeerResetIsADependencyFailure() {
        // how a PostgreSQL stopping mid-connect surfaced in LiveStreamFaultsIT: a bare IOException from write0
        assertThat(DependencyFailure.is(new IOException("Connection reset by peer"))).isTrue();
        assertThat(DependencyFailure.is(new RuntimeException(new IOException("Connection reset by peer")))).isTrue();
        assertThat(DependencyFailure.is(new CompositeException(new ConnectException("refused"), new IllegalStateException()))).isTrue();
    }

    @Test
    void theServerShuttingDownIsOneAndAConstraintIsNot() {
        assertThat(DependencyFailure.is(new PgException("the database system is shutting down", "FATAL", "57P03", null))).isTrue();
        assertThat(DependencyFailure.is(new PgException("duplicate key", "ERROR", "23505", null))).isFalse();
        assertThat(DependencyFailure.is(new IllegalStateException("a bug"))).isFalse();
    }
}

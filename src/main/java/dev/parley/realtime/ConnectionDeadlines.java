package dev.parley.realtime;

import java.lang.reflect.Field;

import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.TCPServerBase;

import dev.parley.config.ParleyConfig;

/**
 * Puts a {@link ConnectionDeadline} on every connection the HTTP server accepts, so that stalled
 * requests and silent WebSockets are closed ({@code parley.limits.request-timeout},
 * {@code parley.limits.socket-idle}), and with it {@link CodecRefusals}, so that a request the HTTP
 * codec cannot read is answered with a problem document.
 * <p>
 * Why it reaches into Vert.x: Quarkus 3.33 and Vert.x 4.5 offer idle timeouts only, which a client
 * sending one byte every few seconds never meets, and no public hook on a connection before its first
 * request is whole ({@code HttpServer.connectionHandler} is Quarkus's own and taken only for
 * {@code max-connections}). The one internal step is here: the listening Netty channel is read from
 * Vert.x's shared server ({@code TCPServerBase.bindFuture}, by reflection), and a handler in front
 * of its acceptor adds the deadline to each new connection before Vert.x builds its pipeline. Should
 * a later Vert.x rename the field, the instance logs a WARN at start and runs without deadlines;
 * StalledConnectionsIT fails.
 * <p>
 * Cleartext HTTP/2 (h2c) is turned off: with it, Vert.x builds a connection's pipeline only from its
 * first bytes, after the point where the deadline has to sit. Browsers never use h2c; Parley speaks
 * HTTP/1.1 to its ingress.
 */
@Singleton
@RegisterForReflection(targets = TCPServerBase.class, fields = true, methods = false)
public class ConnectionDeadlines implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(ConnectionDeadlines.class);
    private static final String ACCEPTOR = "parley-deadline-acceptor";

    private final Vertx vertx;
    private final long requestNanos;
    private final long idleNanos;
    private final ConnectionDeadline.Expiries expiries;

    public ConnectionDeadlines(Vertx vertx, ParleyConfig config, MeterRegistry registry) {
        this.vertx = vertx;
        this.requestNanos = config.limits().requestTimeout().toNanos();
        this.idleNanos = config.limits().socketIdle().toNanos();
        Counter requests = expired(registry, "request");
        Counter sockets = expired(registry, "websocket");
        this.expiries = new ConnectionDeadline.Expiries() {
            @Override
            public void request() {
                requests.increment();
            }

            @Override
            public void webSocket() {
                sockets.increment();
            }
        };
    }

    private static Counter expired(MeterRegistry registry, String kind) {
        return Counter.builder("parley.connections.expired")
                .description("Connections closed by request-timeout (request) or socket-idle (websocket)")
                .tag("kind", kind).register(registry);
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setHttp2ClearTextEnabled(false);
    }

    /** Fired by each HTTP verticle once listening; installing twice on one channel does nothing. */
    void onListening(@ObservesAsync HttpServerStart started) {
        for (HttpServerImpl server : ((VertxInternal) vertx).sharedHttpServers().values()) {
            Future<Channel> bound = boundChannel(server);
            if (bound != null) {
                bound.onSuccess(this::guard);
            }
        }
    }

    private void guard(Channel listening) {
        listening.eventLoop().execute(() -> {
            if (listening.pipeline().get(ACCEPTOR) == null) {
                listening.pipeline().addFirst(ACCEPTOR, new Acceptor());
                LOG.debugf("Request and WebSocket deadlines on %s", listening.localAddress());
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Future<Channel> boundChannel(HttpServerImpl server) {
        try {
            Field field = TCPServerBase.class.getDeclaredField("bindFuture");
            field.setAccessible(true);
            return (Future<Channel>) field.get(server);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("No request-timeout or socket-idle deadlines: Vert.x's listening channel is out of reach (%s)", e);
            return null;
        }
    }

    /** On the listening channel: each accepted connection gets its deadline first in its pipeline. */
    @ChannelHandler.Sharable
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof Channel accepted) {
                accepted.pipeline().addFirst(ConnectionDeadline.BYTES,
                        new ConnectionDeadline(requestNanos, idleNanos, expiries).bytesHandler());
            }
            super.channelRead(ctx, msg);
        }
    }
}

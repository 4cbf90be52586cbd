package dev.parley.realtime;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The deadlines of one connection to the HTTP server, kept on its event loop with one timer.
 * <ul>
 * <li>HTTP: a request must be whole (headers and body) within {@code requestTimeout} of its first
 * byte, or of the accept for a new connection; otherwise the connection is closed. Bytes arriving
 * slowly do not extend it, except that a body earns its own time: each {@value #BODY_BYTES_PER_SECOND}
 * bytes of body received add a second, so an upload over a slow link that keeps that pace is never
 * cut, while a body trickled slower than it gains next to nothing. A keep-alive connection waiting
 * for its next request is idle, not a request: {@code quarkus.http.idle-timeout} covers it.</li>
 * <li>WebSocket, after the 101: a client silent for a third of {@code socketIdle} is pinged; one
 * silent for all of it (no frame, no pong) is closed with 1001. A message in fragments must end
 * within {@code socketIdle} of its first fragment, pongs or not; a frame that never ends is silence.</li>
 * </ul>
 * Two handlers share the state: one at the front of the pipeline sees raw bytes (a request's first
 * byte), one just before Vert.x's connection handler ({@value #VERTX_HANDLER}) sees decoded requests,
 * responses and WebSocket frames.
 */
final class ConnectionDeadline {

    static final String BYTES = "parley-deadline-bytes";
    static final String MESSAGES = "parley-deadline-messages";
    // the name Vert.x gives its HTTP/1.x connection handler, the last one in the pipeline
    private static final String VERTX_HANDLER = "handler";
    static final int IDLE_CLOSE = 1001;
    /** The slowest body that always arrives in time: 16 KiB/s, a poor mobile link's upload. */
    static final int BODY_BYTES_PER_SECOND = 16 * 1024;
    private static final long NANOS_PER_BODY_BYTE = 1_000_000_000L / BODY_BYTES_PER_SECOND;

    /** What the instance counts: a request closed at its deadline, a WebSocket closed as idle. */
    interface Expiries {
        void request();

        void webSocket();
    }

    private final long requestNanos;
    private final long idleNanos;
    private final long pingNanos;
    private final Expiries expiries;

    private ScheduledFuture<?> timer;
    private long requestDue;
    private boolean webSocket;
    private boolean closing;
    private int answersDue;
    private boolean bytesWhileAnswering;
    private long lastHeard;
    private long lastPing;
    private long messageStart;
    private boolean messageOpen;

    ConnectionDeadline(long requestNanos, long idleNanos, Expiries expiries) {
        this.requestNanos = requestNanos;
        this.idleNanos = idleNanos;
        this.pingNanos = idleNanos / 3;
        this.expiries = expiries;
    }

    /** The handler to put first in a new connection's pipeline; it places the second one itself. */
    ChannelInboundHandlerAdapter bytesHandler() {
        return new Bytes();
    }

    private void arm(ChannelHandlerContext ctx) {
        if (timer == null) {
            requestDue = System.nanoTime() + requestNanos;
            timer = ctx.executor().schedule(() -> requestExpired(ctx), requestNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void requestExpired(ChannelHandlerContext ctx) {
        timer = null;
        long left = requestDue - System.nanoTime();
        if (left > 0) {
            // the body bought more time since the timer was set
            timer = ctx.executor().schedule(() -> requestExpired(ctx), left, TimeUnit.NANOSECONDS);
            return;
        }
        if (ctx.channel().isActive()) {
            expiries.request();
            ctx.channel().close();
        }
    }

    private void requestStarted(ChannelHandlerContext ctx) {
        if (webSocket) {
            return;
        }
        if (answersDue > 0) {
            bytesWhileAnswering = true; // the next request began before the last answer ended
        } else {
            arm(ctx);
        }
    }

    private void requestEnded() {
        disarm();
        answersDue++;
        bytesWhileAnswering = false;
    }

    private void answerEnded(ChannelHandlerContext ctx) {
        if (answersDue > 0) {
            answersDue--;
        }
        if (answersDue == 0 && bytesWhileAnswering && !webSocket) {
            bytesWhileAnswering = false;
            arm(ctx);
        }
    }

    private void upgraded(ChannelHandlerContext ctx) {
        disarm();
        webSocket = true;
        lastHeard = System.nanoTime();
        lastPing = lastHeard;
        schedule(ctx, pingNanos);
    }

    private void heard(WebSocketFrame frame) {
        long now = System.nanoTime();
        lastHeard = now;
        if (frame instanceof ContinuationWebSocketFrame) {
            messageOpen = !frame.isFinalFragment();
        } else if (!frame.isFinalFragment()) {
            messageOpen = true; // a text or binary message in fragments begins (control frames are never fragments)
            messageStart = now;
        }
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> tick(ctx), Math.max(delayNanos, 1_000_000L), TimeUnit.NANOSECONDS);
    }

    private void tick(ChannelHandlerContext ctx) {
        timer = null;
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        long silentSince = messageOpen ? messageStart : lastHeard;
        if (now - silentSince >= idleNanos) {
            closing = true;
            expiries.webSocket();
            // The close frame goes out if the socket takes it; a client that stopped reading gets none.
            ctx.writeAndFlush(new CloseWebSocketFrame(IDLE_CLOSE, "idle timeout"));
            ctx.channel().close();
            return;
        }
        long lastContact = Math.max(lastHeard, lastPing);
        if (now - lastContact >= pingNanos) {
            ctx.writeAndFlush(new PingWebSocketFrame());
            lastPing = now;
            lastContact = now;
        }
        schedule(ctx, Math.min(silentSince + idleNanos, lastContact + pingNanos) - now);
    }

    private void stop() {
        closing = true;
        disarm();
    }

    /** First in the pipeline: raw bytes, before any decoder. */
    private final class Bytes extends ChannelInboundHandlerAdapter {

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            ChannelPipeline pipeline = ctx.pipeline();
            if (pipeline.get(VERTX_HANDLER) == null || pipeline.get(MESSAGES) != null) {
                // not the plain HTTP/1.x pipeline this guards (TLS or HTTP/2 at Parley itself): leave it
                pipeline.remove(this);
            } else {
                pipeline.addBefore(VERTX_HANDLER, MESSAGES, new Messages());
                pipeline.addBefore(VERTX_HANDLER, CodecRefusals.NAME, new CodecRefusals());
                arm(ctx);
            }
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
                requestStarted(ctx);
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            stop();
            super.channelInactive(ctx);
        }
    }

    /** Just before Vert.x's connection handler: requests and frames in, responses and frames out. */
    private final class Messages extends ChannelDuplexHandler {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (webSocket) {
                if (msg instanceof CloseWebSocketFrame) {
                    stop();
                } else if (msg instanceof WebSocketFrame frame) {
                    heard(frame);
                }
            } else if (msg instanceof LastHttpContent) {
                requestEnded(); // also a request without a body: the decoder ends every request with one
            } else if (msg instanceof HttpContent body) {
                requestDue += body.content().readableBytes() * NANOS_PER_BODY_BYTE;
            } else if (msg instanceof HttpRequest) {
                requestStarted(ctx);
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (webSocket) {
                if (msg instanceof CloseWebSocketFrame) {
                    stop(); // Vert.x closes; it bounds the closing handshake itself
                }
            } else if (msg instanceof HttpResponse response && response.status().code() == 101) {
                upgraded(ctx);
            } else if (msg instanceof LastHttpContent
                    && !(msg instanceof HttpResponse response && response.status().code() < 200)) {
                // the next request's deadline starts once this answer has left, however slow the reader
                promise = promise.unvoid();
                promise.addListener(done -> answerEnded(ctx));
            }
            super.write(ctx, msg, promise);
        }
    }
}

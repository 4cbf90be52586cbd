package dev.parley.realtime;

import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;

import dev.parley.wire.Utf8;

/**
 * Hands text messages to Vert.x in a form it handles right, at the Netty level, where websockets-next
 * offers nothing:
 * <ul>
 * <li>Text that is not valid UTF-8 is refused. Vert.x decodes a text message leniently, each bad
 * byte becoming U+FFFD, before any Parley code sees it, so a client's broken bytes would be stored as
 * if the client had sent replacement characters.</li>
 * <li>Empty fragments at the start of a message are held back until one with bytes comes (which
 * then opens the message). Vert.x 4.5 hands a continuation to the text message only once the
 * message has bytes, so after an empty first fragment the rest was dropped and the message never
 * answered; the next message was then appended to Netty's empty buffer, which cannot grow, and threw
 * in Vert.x's aggregator, outside any handler of ours: the connection never answered again.</li>
 * </ul>
 * This reaches into Vert.x's internals, the one place in Parley that does: neither Vert.x 4 nor
 * websockets-next offers a hook on a message's bytes, and Netty's own validator (which Vert.x does
 * not install) can only close the connection. At the upgrade, a handler is put into the
 * connection's Netty pipeline just before Vert.x's, after the WebSocket decoder and the
 * permessage-deflate decoder. It checks each text message's bytes across its fragments, and
 * replaces the message from its first bad fragment on by {@link #MARK}, which {@link FrameCodec}
 * answers with {@code bad_request}: the answer goes the ordinary way, in order and counted against
 * the connection's outbound limit, and the socket stays open. A client sending the mark itself gets
 * the same answer, as for any text that is not JSON. ChatWebSocketTest sends invalid bytes and an
 * empty first fragment, and fails should a Vert.x upgrade move what this relies on (the upgrade request's connection being a
 * {@link ConnectionBase}, a {@link VertxHandler} in its pipeline).
 */
@ApplicationScoped
public class TextMessageGuard implements HttpUpgradeCheck {

    /** What a text message with invalid UTF-8 ends with when it reaches Parley; never valid JSON. */
    static final String MARK = "\uFFFD[invalid UTF-8]";
    private static final byte[] MARK_BYTES = MARK.getBytes(StandardCharsets.UTF_8);
    private static final String NAME = "parley-text-guard";
    private static final Logger LOG = Logger.getLogger(TextMessageGuard.class);

    private volatile boolean warned;

    static boolean isMarked(String raw) {
        return raw.endsWith(MARK);
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        if (context.httpRequest().connection() instanceof ConnectionBase connection) {
            ChannelPipeline pipeline = connection.channelHandlerContext().pipeline();
            ChannelHandlerContext vertx = pipeline.context(VertxHandler.class);
            if (vertx != null && pipeline.get(NAME) == null) {
                pipeline.addBefore(vertx.name(), NAME, new Validator());
                return CheckResult.permitUpgrade();
            }
        }
        if (!warned) {
            warned = true;
            LOG.warn("Cannot reach the Netty pipeline of a WebSocket upgrade: text frames are not checked for "
                    + "invalid UTF-8 (Vert.x replaces bad bytes by U+FFFD), and an empty first fragment leaves a "
                    + "connection deaf");
        }
        return CheckResult.permitUpgrade();
    }

    /** One per connection: the state of the text message being received. */
    private static final class Validator extends ChannelInboundHandlerAdapter {

        private boolean inText;
        private boolean started; // a fragment of the message has been handed on
        private boolean refused;
        private int state = Utf8.ACCEPT;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof TextWebSocketFrame frame) {
                inText = true;
                started = false;
                refused = false;
                state = Utf8.ACCEPT;
                handOn(ctx, check(frame));
            } else if (msg instanceof ContinuationWebSocketFrame frame && inText) {
                handOn(ctx, check(frame));
            } else {
                if (msg instanceof BinaryWebSocketFrame) {
                    inText = false; // its continuations are binary too
                }
                ctx.fireChannelRead(msg);
            }
        }

        private void handOn(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (!started) {
                if (!frame.content().isReadable() && !frame.isFinalFragment()) {
                    frame.release();
                    return;
                }
                started = true;
                if (frame instanceof ContinuationWebSocketFrame) {
                    WebSocketFrame opening = new TextWebSocketFrame(frame.isFinalFragment(), frame.rsv(), frame.content().retain());
                    frame.release();
                    frame = opening;
                }
            }
            ctx.fireChannelRead(frame);
        }

        private WebSocketFrame check(WebSocketFrame frame) {
            boolean last = frame.isFinalFragment();
            if (last) {
                inText = false;
            }
            if (!refused) {
                ByteBuf content = frame.content();
                for (int i = content.readerIndex(), end = content.writerIndex(); i < end && state != Utf8.REJECT; i++) {
                    state = Utf8.next(state, content.getByte(i));
                }
                if (state == Utf8.ACCEPT || (!last && state != Utf8.REJECT)) {
                    return frame;
                }
                refused = true;
                return replace(frame, Unpooled.buffer(MARK_BYTES.length).writeBytes(MARK_BYTES));
            }
            return replace(frame, Unpooled.buffer(0)); // the rest of a refused message
        }

        private static WebSocketFrame replace(WebSocketFrame frame, ByteBuf content) {
            WebSocketFrame replacement = frame instanceof TextWebSocketFrame
                    ? new TextWebSocketFrame(frame.isFinalFragment(), frame.rsv(), content)
                    : new ContinuationWebSocketFrame(frame.isFinalFragment(), frame.rsv(), content);
            frame.release();
            return replacement;
        }
    }
}

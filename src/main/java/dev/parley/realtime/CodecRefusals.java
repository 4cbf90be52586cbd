package dev.parley.realtime;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

import dev.parley.problem.ErrorCode;
import dev.parley.problem.Problem;

/**
 * Answers a request the HTTP codec could not read (a malformed request line or header, a request
 * line over {@code quarkus.http.limits.max-initial-line-length}, headers over
 * {@code max-header-size}) with a problem document, like every other refusal of the API. Vert.x
 * answers these itself, with the right status and no body, from an invalid-request handler that
 * Quarkus does not let an application replace; so this handler sits just before Vert.x's connection
 * handler, on the pipeline {@link ConnectionDeadlines} reaches, and answers first with Vert.x's
 * statuses: 414 for a request line too long, 431 for headers too large, 400 for the rest. A request
 * target with a control character, a byte outside ASCII or a '%' not followed by two hex digits is
 * refused here too (400): Vert.x's router and parameter decoding fail on it later with a bare 400.
 * The connection is closed after the answer, as Vert.x does: the codec has lost where the next request
 * would start.
 */
final class CodecRefusals extends ChannelInboundHandlerAdapter {

    static final String NAME = "parley-codec-refusals";

    private boolean refused;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (refused) {
            ReferenceCountUtil.release(msg); // what the codec still hands on after its failure
            return;
        }
        if (msg instanceof HttpRequest request && request.decoderResult().isFailure()) {
            refused = true;
            Throwable cause = request.decoderResult().cause();
            ReferenceCountUtil.release(msg);
            ctx.writeAndFlush(answer(status(cause), detail(cause))).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (msg instanceof HttpRequest request && !wellFormed(request.uri())) {
            refused = true;
            ReferenceCountUtil.release(msg);
            ctx.writeAndFlush(answer(400, "the request target must be printable ASCII with '%' followed by two hex digits"))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        super.channelRead(ctx, msg);
    }

    static boolean wellFormed(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
            if (c == '%' && (i + 2 >= target.length() || !hex(target.charAt(i + 1)) || !hex(target.charAt(i + 2)))) {
                return false;
            }
        }
        return true;
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    static int status(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return 414;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return 431;
        }
        return 400;
    }

    private static String detail(Throwable cause) {
        return switch (status(cause)) {
            case 414 -> "the request line is too long";
            case 431 -> "the request headers are too large";
            default -> "the request could not be read as HTTP/1.1";
        };
    }

    private static FullHttpResponse answer(int status, String detail) {
        byte[] body = Problem.of(status, ErrorCode.ofStatus(status), detail).toJson().encode().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set("X-Content-Type-Options", "nosniff");
        return response;
    }
}

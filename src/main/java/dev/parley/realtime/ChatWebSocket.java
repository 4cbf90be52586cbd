package dev.parley.realtime;

import java.util.HashMap;
import java.util.Map;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonSubTypes;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.InboundProcessingMode;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.quarkus.websockets.next.WebSocketSecurity;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;

import dev.parley.config.ParleyConfig;
import dev.parley.limit.ConnectionLimit;
import dev.parley.limit.UserBudget;
import dev.parley.problem.DependencyFailure;
import dev.parley.problem.ErrorCode;
import dev.parley.problem.ParleyException;
import dev.parley.tracing.Tracing;

/**
 * The WebSocket gateway: one connection per client, authenticated at the upgrade, carrying many
 * rooms. It parses frames, hands each to its handler and writes exactly one answer per request.
 */
// Frames of one connection are handled concurrently, so a client may keep several sends in flight;
// they still enter the group-commit queue in the order received, which keeps their seqs in order.
@WebSocket(path = "/ws", inboundProcessingMode = InboundProcessingMode.CONCURRENT)
@Authenticated
public class ChatWebSocket {

    private static final Logger LOG = Logger.getLogger(ChatWebSocket.class);
    private static final UserData.TypedKey<ClientSession> SESSION = new UserData.TypedKey<>("parley.session");
    // Set by the first transport failure: the connection is being closed, later failures are its echo.
    private static final CloseReason MESSAGE_TOO_BIG = new CloseReason(1009, "message too big");
    private static final UserData.TypedKey<Boolean> FAILED = new UserData.TypedKey<>("parley.failed");
    /** Each frame's {@code type}, naming its span. */
    private static final Map<Class<?>, String> FRAME_TYPES = new HashMap<>();

    static {
        for (JsonSubTypes.Type type : ClientFrame.class.getAnnotation(JsonSubTypes.class).value()) {
            FRAME_TYPES.put(type.value(), type.name());
        }
    }

    private final WebSocketSecurity security;
    private final FrameCodec codec;
    private final ServerFrames frames;
    private final RoomCommands commands;
    private final RoomHub hub;
    private final ConnectionDrain drain;
    private final ParleyConfig config;
    private final UserBudget budget;
    private final ConnectionLimit connections;
    private final RealtimeMetrics metrics;
    private final Tracing tracing;
    private final UserFeeds feeds;

    public ChatWebSocket(WebSocketSecurity security,
            FrameCodec codec, ServerFrames frames, RoomCommands commands, RoomHub hub,
            ConnectionDrain drain, ParleyConfig config, UserBudget budget, ConnectionLimit connections,
            RealtimeMetrics metrics, Tracing tracing, UserFeeds feeds) {
        this.metrics = metrics;
        this.tracing = tracing;
        this.feeds = feeds;
        this.budget = budget;
        this.connections = connections;
        this.security = security;
        this.codec = codec;
        this.frames = frames;
        this.commands = commands;
        this.hub = hub;
        this.drain = drain;
        this.config = config;
    }

    // Both lifecycle callbacks only touch memory: without @NonBlocking websockets-next would run these
    // void methods on a worker thread, a hop there and back on every open and close.
    @OnOpen
    @NonBlocking
    public void onOpen(WebSocketConnection self) {
        feeds.opened(session(self));
        metrics.opened();
        connections.opened(self.userData().get(ConnectionUserCheck.SLOT));
        drain.opened(self);
    }

    // The connection parameter is the connection itself, not the injected proxy: events are written
    // to it later from other threads, outside this connection's context. With concurrent inbound
    // processing the first frame may be handled before @OnOpen ran, so whoever comes first creates
    // the session.
    private ClientSession session(WebSocketConnection self) {
        ClientSession session = self.userData().get(SESSION);
        if (session != null) {
            return session;
        }
        synchronized (self) {
            session = self.userData().get(SESSION);
            if (session == null) {
                ClientSession created = new ClientSession(self.userData().get(ConnectionUserCheck.USER), self,
                        config.limits().outboundBuffer(),
                        new SendBudget(config.limits().sendRate(), config.limits().sendBurst()));
                created.onOverflow(() -> {
                    metrics.slowConsumerClosed();
                    hub.leaveAll(created);
                });
                self.userData().put(SESSION, created);
                session = created;
            }
            return session;
        }
    }

    @OnTextMessage
    public Uni<Void> onMessage(String raw, WebSocketConnection self) {
        ClientFrame frame;
        try {
            frame = codec.read(raw);
        } catch (FrameException e) {
            metrics.unreadableFrame();
            session(self).answer(frames.error(e.requestId(), e.code(), e.getMessage()));
            return Uni.createFrom().voidItem();
        }
        metrics.frameReceived(frame);
        ClientSession session = session(self);
        if (!drain.admit()) {
            session.answer(frames.error(frame.id(), ErrorCode.UNAVAILABLE,
                    "the server is shutting down; nothing was stored, reconnect and retry"));
            return Uni.createFrom().voidItem();
        }
        // every frame is charged to the user's budget; one over it is refused alone, the socket stays.
        // A frame is handled in its span (tracing on), which stays current while it is answered.
        return budget.charge(session.user().id())
                .chain(() -> !tracing.on() || frame instanceof ClientFrame.Ping ? handle(session, frame)
                        : tracing.frame(FRAME_TYPES.get(frame.getClass()), frame.room(), () -> handle(session, frame)))
                .onFailure().recoverWithItem(e -> failure(frame.id(), e))
                .invoke(reply -> {
                    if (reply != null) {
                        session.answer(reply);
                    }
                })
                .onTermination().invoke(drain::finished)
                .replaceWithVoid();
    }

    @OnClose
    @NonBlocking
    public void onClose(WebSocketConnection self) {
        metrics.closed(self.closeReason());
        connections.release(self.userData().get(ConnectionUserCheck.SLOT));
        ClientSession session = self.userData().get(SESSION);
        if (session != null) {
            session.markClosed();
            hub.leaveAll(session);
            feeds.closed(session);
        }
    }

    /**
     * Failures of the socket itself: frame handlers recover their own failures into error frames, so
     * what reaches this is the transport (a reset, a write to a socket already gone, a broken or
     * oversized frame). None of it is answered with a frame: a write on a failing socket fails again
     * and would come straight back here, each time on a new context, which is how one abrupt
     * disconnect can keep an event loop spinning until the heap runs out. The connection is
     * the one passed in, never the injected request-scoped proxy, whose context may already have
     * ended when the close and the error race. Each connection logs at most one line, at DEBUG.
     */
    @OnError
    public Uni<Void> onError(Throwable failure, WebSocketConnection self) {
        if (self.userData().get(FAILED) != null || self.isClosed()) {
            return Uni.createFrom().voidItem();
        }
        self.userData().put(FAILED, Boolean.TRUE);
        ClientSession session = self.userData().get(SESSION);
        if (session != null) {
            session.markClosed(); // nothing more is written to a socket that failed
        }
        LOG.debugf("WebSocket connection %s failed: %s", self.id(), failure);
        CloseReason reason = tooLarge(failure) ? MESSAGE_TOO_BIG : CloseReason.INTERNAL_SERVER_ERROR;
        return self.close(reason).onFailure().recoverWithNull().replaceWithVoid();
    }

    // Vert.x names a message over max-message-size (fragments adding up past 1 MiB) only in the text of
    // an IllegalStateException; a single frame over max-frame-size is closed with 1009 by Netty itself.
    private static boolean tooLarge(Throwable failure) {
        return failure instanceof IllegalStateException && String.valueOf(failure.getMessage()).contains("max message size");
    }

    private Uni<String> handle(ClientSession session, ClientFrame frame) {
        if (frame instanceof ClientFrame.Ping ping) {
            return Uni.createFrom().item(frames.pong(ping.id()));
        }
        if (frame instanceof ClientFrame.Send send) {
            return commands.send(session, send);
        }
        if (frame instanceof ClientFrame.Subscribe subscribe) {
            return commands.subscribe(session, subscribe);
        }
        if (frame instanceof ClientFrame.Unsubscribe unsubscribe) {
            return commands.unsubscribe(session, unsubscribe);
        }
        if (frame instanceof ClientFrame.History history) {
            return commands.history(session, history);
        }
        if (frame instanceof ClientFrame.Typing typing) {
            return commands.typing(session, typing);
        }
        if (frame instanceof ClientFrame.Edit edit) {
            return commands.edit(session, edit);
        }
        if (frame instanceof ClientFrame.Delete delete) {
            return commands.delete(session, delete);
        }
        if (frame instanceof ClientFrame.React react) {
            return commands.react(session, react);
        }
        if (frame instanceof ClientFrame.Read read) {
            return commands.read(session, read);
        }
        if (frame instanceof ClientFrame.Auth auth) {
            return reauthenticate(auth);
        }
        return Uni.createFrom().failure(ParleyException.badRequest("unsupported type"));
    }

    private Uni<String> reauthenticate(ClientFrame.Auth auth) {
        if (auth.token() == null || auth.token().isBlank()) {
            return Uni.createFrom().failure(ParleyException.badRequest("token is required"));
        }
        // The new identity must be the same user; WebSocketSecurity refuses any other principal.
        return Uni.createFrom().completionStage(() -> security.updateSecurityIdentity(auth.token()))
                .map(updated -> frames.ok(auth.id(), new ServerFrame.Reauthenticated(expiresAt(updated))))
                .onFailure().transform(e -> ParleyException.unauthorized("token rejected"));
    }

    private static Long expiresAt(SecurityIdentity identity) {
        return identity.getPrincipal() instanceof JsonWebToken jwt ? jwt.getExpirationTime() : null;
    }

    private String failure(String id, Throwable e) {
        if (e instanceof ParleyException p) {
            // the client's mistake: DEBUG only, for whoever chases one client's problem (with its trace id)
            LOG.debugf("Refused a frame: %s (%s)", p.code().wire(), p.getMessage());
            return frames.error(id, p.code(), p.getMessage(), p.retryAfter().orElse(null));
        }
        if (DependencyFailure.is(e)) {
            LOG.warnf("A dependency failed while handling a frame: %s", e.toString());
            return frames.error(id, ErrorCode.UNAVAILABLE, "a dependency is unavailable; nothing was stored, retry");
        }
        LOG.error("Unexpected failure handling a frame", e);
        return frames.error(id, ErrorCode.INTERNAL, "internal error");
    }
}

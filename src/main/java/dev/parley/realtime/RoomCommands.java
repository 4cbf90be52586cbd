package dev.parley.realtime;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.parley.auth.UserView;
import dev.parley.config.RequestLimits;
import dev.parley.fanout.EventType;
import dev.parley.fanout.RoomEventPublisher;
import dev.parley.limit.LimitMetrics;
import dev.parley.message.Changed;
import dev.parley.message.LogEntryView;
import dev.parley.message.MessageService;
import dev.parley.problem.ParleyException;
import dev.parley.room.RoomService;
import dev.parley.room.RoomSnapshot;

/**
 * The room commands of the WebSocket protocol. Each returns the answer frame to write, or null when
 * the answer was already written (a subscribe writes its replay and ok itself, in order) or when
 * none is due (a successful typing).
 */
@ApplicationScoped
public class RoomCommands {

    private final RoomService rooms;
    private final MessageService messages;
    private final RoomHub hub;
    private final RoomEventPublisher publisher;
    private final ServerFrames frames;
    private final RequestLimits limits;
    private final LimitMetrics limitMetrics;

    public RoomCommands(RoomService rooms, MessageService messages, RoomHub hub, RoomEventPublisher publisher,
            ServerFrames frames, RequestLimits limits,
            LimitMetrics limitMetrics) {
        this.limitMetrics = limitMetrics;
        this.rooms = rooms;
        this.messages = messages;
        this.hub = hub;
        this.publisher = publisher;
        this.frames = frames;
        this.limits = limits;
    }

    public Uni<String> subscribe(ClientSession session, ClientFrame.Subscribe frame) {
        String room = limits.requireRoomId(frame.room());
        if (frame.since() != null && frame.since() < 0) {
            throw ParleyException.badRequest("since must be at least 0");
        }
        if (!session.isSubscribed(room)) {
            limits.requireSubscriptionSlot(session.subscriptionCount());
        }
        // Live first, then the room: the subscriber meets the room's gate at a seq no earlier than the
        // newest committed before it was registered; the entries after that seq reach it live (held
        // back until the replay and the ok are written), those up to it are replayed from
        // PostgreSQL. A refused subscribe drops what it held.
        ClientSession.Subscription subscription = session.begin(room);
        return hub.join(room, session)
                .onFailure().transform(e -> ParleyException.unavailable("fan-out is unavailable; retry"))
                .chain(() -> rooms.openForSubscription(session.user(), room))
                .chain(snapshot -> messages.replay(room, frame.since(), hub.meet(room, snapshot.lastSeq()))
                        .chain(replay -> hub.goLive(room, session).map(online -> new Opened(snapshot, replay, online))))
                .map(opened -> {
                    MessageService.Replay replay = opened.replay();
                    RoomSnapshot snapshot = opened.snapshot();
                    List<String> answer = new ArrayList<>(replay.entries().size() + 1);
                    for (LogEntryView.Entry e : replay.entries()) {
                        answer.add(publisher.frame(e.type(), e.payload()));
                    }
                    List<UserView> presence = opened.online();
                    answer.add(frames.ok(frame.id(), new ServerFrame.Subscribed(room, replay.lastSeq(), snapshot.readSeq(),
                            snapshot.unread(), snapshot.mentions(), presence, replay.entries().size(), replay.truncated())));
                    session.answer(answer);
                    session.goLive(subscription, replay.lastSeq());
                    if (session.isClosed()) {
                        // the socket closed while this subscribe was under way (frames are handled
                        // concurrently): leaving the session registered would leak it
                        session.endIfCurrent(room, subscription);
                        hub.leave(room, session);
                    }
                    return (String) null;
                })
                .onFailure().invoke(e -> {
                    session.endIfCurrent(room, subscription);
                    hub.leave(room, session);
                });
    }

    private record Opened(RoomSnapshot snapshot, MessageService.Replay replay, List<UserView> online) {
    }

    public Uni<String> read(ClientSession session, ClientFrame.Read frame) {
        String room = limits.requireRoomId(frame.room());
        return rooms.markRead(session.user(), room, frame.seq())
                .map(marker -> frames.ok(frame.id(), new ServerFrame.ReadMarker(room, marker)));
    }

    public Uni<String> unsubscribe(ClientSession session, ClientFrame.Unsubscribe frame) {
        String room = limits.requireRoomId(frame.room());
        if (session.end(room)) {
            hub.leave(room, session);
        }
        return Uni.createFrom().item(frames.ok(frame.id(), new ServerFrame.RoomOnly(room)));
    }

    public Uni<String> send(ClientSession session, ClientFrame.Send frame) {
        String room = limits.requireRoomId(frame.room());
        // a send refused for its content costs no budget: only sends that may be stored count
        messages.validate(frame.text(), frame.clientMsgId());
        if (!session.budget().tryTake()) {
            limitMetrics.rateLimited(LimitMetrics.SENDS);
            throw ParleyException.rateLimited("too many sends; slow down", session.budget().untilNext());
        }
        return messages.send(session.user(), room, frame.text(), frame.clientMsgId(), frame.replyTo())
                .map(sent -> frames.ok(frame.id(),
                        new ServerFrame.Stored(room, sent.message().seq(), sent.message().ts())));
    }

    public Uni<String> history(ClientSession session, ClientFrame.History frame) {
        String room = limits.requireRoomId(frame.room());
        return messages.history(session.user(), room, frame.before(), frame.after(), frame.limit(), frame.replyTo())
                .map(page -> frames.ok(frame.id(), new ServerFrame.Page(room, page.messages(), page.hasMore())));
    }

    public Uni<String> edit(ClientSession session, ClientFrame.Edit frame) {
        String room = limits.requireRoomId(frame.room());
        return messages.edit(session.user(), room, frame.target(), frame.text()).map(changed -> answer(frame.id(), changed));
    }

    public Uni<String> delete(ClientSession session, ClientFrame.Delete frame) {
        String room = limits.requireRoomId(frame.room());
        return messages.delete(session.user(), room, frame.target()).map(changed -> answer(frame.id(), changed));
    }

    public Uni<String> react(ClientSession session, ClientFrame.React frame) {
        String room = limits.requireRoomId(frame.room());
        return messages.react(session.user(), room, frame.target(), frame.emoji(), frame.on())
                .map(changed -> answer(frame.id(), changed));
    }

    private String answer(String id, Changed changed) {
        return frames.ok(id, new ServerFrame.Changed(changed.room(), changed.stored() ? changed.seq() : null,
                changed.target()));
    }

    // Only a live subscription counts: one still being authorized may yet be refused. A connection's
    // typing is published at most once per room per 2 s (each instance also forwards at most one per
    // user, room and 2 s).
    public Uni<String> typing(ClientSession session, ClientFrame.Typing frame) {
        String room = limits.requireRoomId(frame.room());
        if (!session.isLive(room)) {
            throw ParleyException.forbidden("subscribe to the room first");
        }
        if (session.typingDue(room)) {
            publisher.publish(room, EventType.TYPING, 0, session.user().id(), new ServerFrame.Typing(room, session.user()));
        }
        return Uni.createFrom().nullItem();
    }
}

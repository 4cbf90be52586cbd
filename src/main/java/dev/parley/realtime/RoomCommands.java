package dev.parley.realtime;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.parley.auth.UserView;
import dev.parley.config.ParleyConfig;
import dev.parley.message.MessageService;
import dev.parley.message.MessageView;
import dev.parley.problem.ParleyException;
import dev.parley.room.RoomService;
import io.smallrye.mutiny.Uni;

/**
 * The room commands of the WebSocket protocol. Each returns the answer frame to write, or null when
 * the answer was already written (a subscribe writes its replay and ok itself, in order) or when
 * none is due (a successful typing).
 */
@ApplicationScoped
public class RoomCommands {

    private static final int ROOM_ID_MAX = 36;

    private final RoomService rooms;
    private final MessageService messages;
    private final RoomHub hub;
    private final ServerFrames frames;
    private final ParleyConfig config;

    public RoomCommands(RoomService rooms, MessageService messages, RoomHub hub, ServerFrames frames,
            ParleyConfig config) {
        this.rooms = rooms;
        this.messages = messages;
        this.hub = hub;
        this.frames = frames;
        this.config = config;
    }

    public record Subscribed(String room, long lastSeq, List<UserView> presence, int missed, boolean truncated) {
    }

    public record RoomOnly(String room) {
    }

    public record Stored(String room, long seq, String ts) {
    }

    public record Page(String room, List<MessageView> messages, boolean hasMore) {
    }

    public record Typing(String room, UserView user) {
    }

    public Uni<String> subscribe(ClientSession session, ClientFrame.Subscribe frame) {
        String room = requireRoom(frame.room());
        if (frame.since() != null && frame.since() < 0) {
            throw ParleyException.badRequest("since must be at least 0");
        }
        if (!session.isSubscribed(room) && session.subscriptionCount() >= config.limits().subscriptions()) {
            throw ParleyException.tooLarge("at most " + config.limits().subscriptions() + " subscriptions per connection");
        }
        // Live first, then the room: whatever commits after the seq read below arrives live, held
        // back until the replay and the ok are written. A refused subscribe drops what it held.
        ClientSession.Subscription subscription = session.begin(room);
        return hub.join(room, session)
                .onFailure().transform(e -> ParleyException.unavailable("fan-out is unavailable; retry"))
                .chain(() -> rooms.openForSubscription(session.user(), room))
                .chain(lastSeq -> messages.replay(room, frame.since(), lastSeq))
                .map(replay -> {
                    for (MessageView m : replay.messages()) {
                        session.write(frames.event("message", m));
                    }
                    List<UserView> presence = hub.goLive(room, session);
                    session.write(frames.ok(frame.id(), new Subscribed(room, replay.lastSeq(),
                            presence, replay.messages().size(), replay.truncated())));
                    hub.seen(room, replay.lastSeq());
                    session.goLive(subscription, replay.lastSeq());
                    if (session.isClosed()) {
                        // the socket closed while this subscribe was under way (frames are handled
                        // concurrently): leaving the session registered would leak it
                        session.end(room, subscription);
                        hub.leave(room, session);
                    }
                    return (String) null;
                })
                .onFailure().invoke(e -> {
                    session.end(room, subscription);
                    hub.leave(room, session);
                });
    }

    public Uni<String> unsubscribe(ClientSession session, ClientFrame.Unsubscribe frame) {
        String room = requireRoom(frame.room());
        if (session.end(room)) {
            hub.leave(room, session);
        }
        return Uni.createFrom().item(frames.ok(frame.id(), new RoomOnly(room)));
    }

    public Uni<String> send(ClientSession session, ClientFrame.Send frame) {
        String room = requireRoom(frame.room());
        // a send refused for its content costs no budget: only sends that may be stored count
        messages.validate(frame.text(), frame.clientMsgId());
        if (!session.budget().tryTake()) {
            throw ParleyException.rateLimited("too many sends; slow down");
        }
        return messages.send(session.user(), room, frame.text(), frame.clientMsgId())
                .map(sent -> frames.ok(frame.id(), new Stored(room, sent.message().seq(), sent.message().ts())));
    }

    public Uni<String> history(ClientSession session, ClientFrame.History frame) {
        String room = requireRoom(frame.room());
        return messages.history(session.user(), room, frame.before(), frame.after(), frame.limit())
                .map(page -> frames.ok(frame.id(), new Page(room, page.messages(), page.hasMore())));
    }

    public Uni<String> typing(ClientSession session, ClientFrame.Typing frame) {
        String room = requireRoom(frame.room());
        if (!session.isSubscribed(room)) {
            throw ParleyException.forbidden("subscribe to the room first");
        }
        hub.publish(room, "typing", 0, session.user().id(), new Typing(room, session.user()));
        return Uni.createFrom().nullItem();
    }

    private static String requireRoom(String room) {
        if (room == null || room.isBlank() || room.length() > ROOM_ID_MAX) {
            throw ParleyException.badRequest("room must be a room id");
        }
        return room;
    }
}

package dev.parley.auth;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A user as every frame and REST body shows it: {@code name} is the display name or the username,
 * {@code bot} whether the account is a bot's.
 *
 * <p>Registered for reflection for the native image: frames, events and the presence entries in
 * Redis carry it whether or not a REST signature still does.
 */
@RegisterForReflection
@Schema(name = "User")
public record UserView(String id, String username, String name, boolean bot) {

    public static UserView of(User user) {
        return new UserView(user.id, user.username, user.shownName(), User.KIND_BOT.equals(user.kind));
    }
}

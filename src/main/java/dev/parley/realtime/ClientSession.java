package dev.parley.realtime;

import dev.parley.auth.UserView;

/** What the gateway keeps per open connection. Kept small: there may be tens of thousands. */
public final class ClientSession {

    private final UserView user;

    public ClientSession(UserView user) {
        this.user = user;
    }

    public UserView user() {
        return user;
    }
}

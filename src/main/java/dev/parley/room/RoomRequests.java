package dev.parley.room;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import dev.parley.auth.UserView;

/** Bodies and answers of the room endpoints. */
public final class RoomRequests {

    private RoomRequests() {
    }

    public record Create(
            @NotBlank @Size(max = 100) String name,
            @NotNull @Pattern(regexp = "public|private", message = "must be public or private") String visibility,
            @Size(max = 500) String topic) {
    }

    public record Invite(@NotBlank String username, String role) {
    }

    public record MemberView(String room, UserView user, String role) {
    }
}

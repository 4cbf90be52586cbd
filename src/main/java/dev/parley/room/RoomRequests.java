package dev.parley.room;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.parley.auth.UserView;

/** Bodies and answers of the room endpoints. */
public final class RoomRequests {

    private RoomRequests() {
    }

    @Schema(name = "RoomCreateRequest")
    public record Create(
            @NotBlank @Size(max = 100) String name,
            @NotNull @Pattern(regexp = "public|private", message = "must be public or private") String visibility,
            @Size(max = 500) String topic) {
    }

    @Schema(name = "InviteRequest")
    public record Invite(@NotBlank String username, String role) {
    }

    @Schema(name = "Member")
    public record MemberView(String room, UserView user, String role) {
    }

    /** A ban or a mute: {@code minutes} absent for a ban that lasts until lifted (a mute always ends). */
    @Schema(name = "SanctionRequest")
    public record Sanctioning(@NotBlank String username, @Size(max = 500) String reason,
            @Min(1) @Max(RoomRequests.MAX_MINUTES) Integer minutes) {
    }

    /** The longest ban or mute with an end: a year. */
    public static final int MAX_MINUTES = 366 * 24 * 60;

    /** A ban or mute in force: {@code until} null for a ban without an end; {@code by} who gave it. */
    @Schema(name = "Sanction")
    public record SanctionView(String room, UserView user, String kind, String reason, String until, String by, String createdAt) {
    }
}

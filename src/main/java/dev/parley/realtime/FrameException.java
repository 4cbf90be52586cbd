package dev.parley.realtime;

import dev.parley.problem.ErrorCode;
import dev.parley.problem.ParleyException;

/** A frame that cannot be handled; {@code requestId} is the frame's id when it could be read. */
public class FrameException extends ParleyException {

    private final String requestId;

    public FrameException(ErrorCode code, String requestId, String message) {
        super(code, message);
        this.requestId = requestId;
    }

    public String requestId() {
        return requestId;
    }
}

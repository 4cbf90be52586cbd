package dev.parley.problem;

/**
 * Recognises a failure to read the client's own request body: a multipart body that is not
 * multipart, or that ends before its closing boundary. Quarkus REST's form parser reports these as
 * a bare {@link java.io.IOException} ("Connection terminated reading multipart data"), the same
 * class a backing service's reset socket raises ({@link DependencyFailure}); what tells them apart
 * is where it was raised. The client sent a bad request: {@code bad_request}, not {@code unavailable}.
 */
public final class RequestBodyFailure {

    private static final String FORM_PARSER = "org.jboss.resteasy.reactive.server.core.multipart.";
    // the parser raises it itself, a few frames below its own methods at most
    private static final int FRAMES = 4;

    private RequestBodyFailure() {
    }

    public static boolean is(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < Math.min(FRAMES, frames.length); i++) {
                if (frames[i].getClassName().startsWith(FORM_PARSER)) {
                    return true;
                }
            }
        }
        return false;
    }
}

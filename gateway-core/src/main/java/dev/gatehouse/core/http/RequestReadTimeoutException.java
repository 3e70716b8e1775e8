package dev.gatehouse.core.http;

import dev.gatehouse.core.config.GoDurations;
import java.io.IOException;
import java.time.Duration;

/**
 * The client did not send its whole request within the entry point's
 * {@code transport.respondingTimeouts.readTimeout}: reading the request body fails with this. It is the
 * client's fault, never the server's: a proxy that sees it answers 408 and holds nothing against the backend.
 * (An {@link IOException}, not a {@link java.util.concurrent.TimeoutException}, so that it is not taken for a
 * backend that timed out.)
 */
public final class RequestReadTimeoutException extends IOException {

    private static final long serialVersionUID = 1L;

    public RequestReadTimeoutException(String entryPoint, Duration readTimeout) {
        super("the client did not send the whole request within entryPoints." + entryPoint
                + ".transport.respondingTimeouts.readTimeout (" + GoDurations.format(readTimeout)
                + ")");
    }

    /** Whether {@code failure} is, or was caused by, a request read timeout. */
    public static boolean isCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RequestReadTimeoutException) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }
}

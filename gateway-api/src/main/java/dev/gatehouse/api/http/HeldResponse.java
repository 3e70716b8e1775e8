package dev.gatehouse.api.http;

import java.nio.ByteBuffer;
import java.util.function.Predicate;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A response held back until its status is known, for a middleware or service that may replace it ({@code errors}
 * with its page, {@code retry} and {@code failover.errors} with another attempt): at its first write, or when its
 * handler ends without one, a test of the response decides, once, whether it is let through or dropped (its writes
 * are then swallowed, nothing reaches the client).
 */
public class HeldResponse extends Response.Wrapper {
    private final Predicate<Response> drop;
    /** 0 undecided, 1 let through, 2 dropped; decided on the thread of the first write or of the handler's end. */
    private volatile int state;

    /** @param drop given the wrapped response (its status and headers so far): whether to drop it */
    public HeldResponse(Request request, Response response, Predicate<Response> drop) {
        super(request, response);
        this.drop = drop;
    }

    /** Decides, once, from the response so far; true when it is dropped. */
    public boolean decide() {
        if (state == 0) {
            state = drop.test(getWrapped()) ? 2 : 1;
        }
        return state == 2;
    }

    /** Whether it was decided dropped (without deciding now). */
    public boolean dropped() {
        return state == 2;
    }

    @Override
    public void write(boolean last, ByteBuffer content, Callback callback) {
        if (decide()) {
            callback.succeeded();
        } else {
            super.write(last, content, callback);
        }
    }
}

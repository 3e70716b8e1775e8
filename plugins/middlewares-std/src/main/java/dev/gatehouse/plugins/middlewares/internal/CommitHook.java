package dev.gatehouse.plugins.middlewares.internal;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A response that runs a hook on its headers once, just before they are committed: at the first write, or when
 * the handler completes without writing. This is Go's response modifier ({@code ModifyResponse}) for Jetty 12
 * core: the backend's headers are in place, nothing has reached the client yet.
 */
public final class CommitHook extends Response.Wrapper {

    private final Consumer<Response> hook;
    private boolean done;

    private CommitHook(Response wrapped, Consumer<Response> hook) {
        super(wrapped.getRequest(), wrapped);
        this.hook = hook;
    }

    /** Wraps {@code response}; pass {@link #callback(Callback)} on with it. */
    public static CommitHook of(Response response, Consumer<Response> hook) {
        return new CommitHook(response, hook);
    }

    /** The callback to hand on: completing without a write still runs the hook first. */
    public Callback callback(Callback callback) {
        return new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                run();
                super.succeeded();
            }
        };
    }

    private void run() {
        if (!done) {
            done = true;
            if (!getWrapped().isCommitted()) {
                hook.accept(getWrapped());
            }
        }
    }

    @Override
    public void write(boolean last, ByteBuffer byteBuffer, Callback callback) {
        run();
        super.write(last, byteBuffer, callback);
    }
}

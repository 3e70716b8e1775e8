package dev.gatehouse.api.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;

/**
 * Reads a request's body into memory before the request goes on (for a middleware that must send it twice:
 * {@code retry} on a status, {@code forwardAuth} with {@code forwardBody}), resuming on demand, without holding a
 * thread. It stops at the body's end or once more than {@code max} bytes are in; what was read then goes on in
 * front of the rest with {@link PeekedRequest}.
 */
public final class BodyReader implements Runnable {
    private final Request request;
    private final long max;
    private final BiConsumer<byte[], Boolean> then;
    private final Callback callback;
    private final ByteArrayOutputStream read = new ByteArrayOutputStream();

    private BodyReader(Request request, long max, BiConsumer<byte[], Boolean> then, Callback callback) {
        this.request = request;
        this.max = max;
        this.then = then;
        this.callback = callback;
    }

    /**
     * Starts reading.
     *
     * @param max read no further once more than this many bytes are in ({@link Long#MAX_VALUE}: to the end)
     * @param then given the bytes read (more than {@code max} when the body is larger) and whether they are the
     *     whole body
     * @param callback failed when reading the body fails (the client's fault)
     */
    public static void read(Request request, long max, BiConsumer<byte[], Boolean> then, Callback callback) {
        new BodyReader(request, max, then, callback).run();
    }

    @Override
    public void run() {
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                callback.failed(chunk.getFailure());
                return;
            }
            ByteBuffer bytes = chunk.getByteBuffer();
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            read.writeBytes(copy);
            boolean last = chunk.isLast();
            chunk.release();
            if (last || read.size() > max) {
                then.accept(read.toByteArray(), last);
                return;
            }
        }
    }
}

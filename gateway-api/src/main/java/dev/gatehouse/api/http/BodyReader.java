package dev.gatehouse.api.http;

import java.nio.ByteBuffer;
import java.util.Arrays;
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
    /** The first buffer's size when the length is unknown. */
    private static final int UNKNOWN_LENGTH_START = 8 * 1024;
    /** The largest first buffer: a declared length is the client's word, not to be allocated on trust. */
    private static final int KNOWN_LENGTH_START_MAX = 1024 * 1024;
    /** The largest array a JVM reliably allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Request request;
    private final long max;
    private final BiConsumer<byte[], Boolean> then;
    private final Callback callback;
    /** What was read so far: the first {@link #size} bytes. Sized from the declared length, so most bodies are copied once. */
    private byte[] read;
    private int size;

    private BodyReader(Request request, long max, BiConsumer<byte[], Boolean> then, Callback callback) {
        this.request = request;
        this.max = max;
        this.then = then;
        this.callback = callback;
        long declared = request.getLength();
        // No more than is declared, nor than one byte over max (reading stops there), nor than the cap.
        long start = declared < 0 ? UNKNOWN_LENGTH_START : Math.min(declared, Math.min(max, KNOWN_LENGTH_START_MAX) + 1);
        this.read = new byte[(int) Math.max(0, start)];
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
            int length = bytes.remaining();
            if (length > MAX_ARRAY - size) {
                chunk.release();
                callback.failed(new IllegalStateException("a request body of 2 GiB or more cannot be held in memory"));
                return;
            }
            if (size + length > read.length) {
                read = Arrays.copyOf(read, (int) Math.min(MAX_ARRAY, Math.max(size + length, 2L * read.length)));
            }
            bytes.get(read, size, length);
            size += length;
            boolean last = chunk.isLast();
            chunk.release();
            if (last || size > max) {
                then.accept(size == read.length ? read : Arrays.copyOf(read, size), last);
                return;
            }
        }
    }
}

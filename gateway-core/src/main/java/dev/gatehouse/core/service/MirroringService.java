package dev.gatehouse.core.service;

import dev.gatehouse.core.proxy.UpstreamClient;
import dev.gatehouse.core.proxy.UpstreamServer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code http.services.<name>.mirroring}: every request goes to the main service; {@code percent} of them are
 * also copied to each mirror, fire and forget (the mirror's answer is read and dropped, and nothing waits for
 * it). A request without a body is copied at once. A body is copied as the main service reads it, at most
 * {@code maxBodySize} bytes of it: the copies leave once the whole body has passed, and a larger body is not
 * mirrored at all. The main request is never held back for the mirrors.
 */
public final class MirroringService extends ServiceHandler {

    private final String name;
    private final ServiceHandler main;
    private final ServiceHandler[] mirrors;
    private final int[] percents;
    private final AtomicLong[] counters;
    private final long maxBodySize;
    private final boolean mirrorBody;
    private final UpstreamClient upstream;

    public MirroringService(String name, ServiceHandler main, List<ServiceHandler> mirrors, List<Integer> percents,
            long maxBodySize, boolean mirrorBody, UpstreamClient upstream) {
        if (mirrors.size() > 31) {
            throw new IllegalArgumentException("mirroring supports at most 31 mirrors");
        }
        this.name = name;
        this.main = main;
        this.mirrors = mirrors.toArray(new ServiceHandler[0]);
        this.percents = percents.stream().mapToInt(Integer::intValue).toArray();
        for (int percent : this.percents) {
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("mirroring.mirrors[].percent must be between 0 and 100");
            }
        }
        this.counters = new AtomicLong[this.mirrors.length];
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new AtomicLong();
        }
        this.maxBodySize = maxBodySize;
        this.mirrorBody = mirrorBody;
        this.upstream = upstream;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        int selected = 0;
        for (int i = 0; i < mirrors.length; i++) {
            if (percents[i] > 0) {
                long n = counters[i].getAndIncrement();
                // Exactly percent of every hundred requests, spread evenly.
                if ((n + 1) * percents[i] / 100 > n * percents[i] / 100) {
                    selected |= 1 << i;
                }
            }
        }
        if (selected == 0) {
            return main.handle(request, response, callback);
        }
        String method = request.getMethod();
        String pathQuery = request.getHttpURI().getPathQuery();
        HttpFields headers = HttpFields.build(request.getHeaders()).asImmutable();
        long length = request.getLength();
        boolean hasBody = length > 0 || (length < 0 && (headers.contains(HttpHeader.TRANSFER_ENCODING)
                || request.getConnectionMetaData().getHttpVersion().getVersion() >= 20));
        if (!hasBody || !mirrorBody) {
            send(selected, method, pathQuery, headers, null);
            return main.handle(request, response, callback);
        }
        if (maxBodySize >= 0 && length > maxBodySize) {
            return main.handle(request, response, callback);   // too large to mirror
        }
        int chosen = selected;
        return main.handle(new Tee(request, maxBodySize, body -> send(chosen, method, pathQuery, headers, body)),
                response, callback);
    }

    private void send(int selected, String method, String pathQuery, HttpFields headers, byte[] body) {
        for (int i = 0; i < mirrors.length; i++) {
            if ((selected & (1 << i)) != 0) {
                UpstreamServer server = mirrors[i].pickForCopy();
                if (server != null) {
                    upstream.sendCopy(method, pathQuery, headers, body, server);
                }
            }
        }
    }

    @Override
    public boolean available() {
        return main.available();
    }

    @Override
    public UpstreamServer pickForCopy() {
        return main.pickForCopy();
    }

    @Override
    public String name() {
        return name;
    }

    /** The client's request, copying its body as the main service reads it, up to a limit. */
    private static final class Tee extends Request.Wrapper {
        private final long limit;
        private final java.util.function.Consumer<byte[]> whole;
        private ByteArrayOutputStream copy = new ByteArrayOutputStream();

        Tee(Request request, long limit, java.util.function.Consumer<byte[]> whole) {
            super(request);
            this.limit = limit;
            this.whole = whole;
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk chunk = super.read();
            ByteArrayOutputStream out = copy;
            if (chunk == null || out == null) {
                return chunk;
            }
            if (Content.Chunk.isFailure(chunk)) {
                copy = null;
                return chunk;
            }
            ByteBuffer bytes = chunk.getByteBuffer().duplicate();
            if (limit >= 0 && out.size() + (long) bytes.remaining() > limit) {
                copy = null;   // larger than maxBodySize: not mirrored
                return chunk;
            }
            if (bytes.hasArray()) {
                out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            } else {
                byte[] array = new byte[bytes.remaining()];
                bytes.get(array);
                out.write(array, 0, array.length);
            }
            if (chunk.isLast()) {
                copy = null;
                whole.accept(out.toByteArray());
            }
            return chunk;
        }
    }
}

package dev.gatehouse.plugins.middlewares.buffering;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.api.http.ResponseHead;
import dev.gatehouse.plugins.middlewares.internal.OxyExpression;
import dev.gatehouse.plugins.middlewares.internal.Responses;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code buffering}: reads the whole request body before the request goes on (so a slow client never holds a
 * backend connection), and holds the whole response before it goes back. Bodies stay in memory up to
 * {@code memRequestBodyBytes} / {@code memResponseBodyBytes} (1 MiB each) and go to a temporary file beyond.
 * A request body over {@code maxRequestBodyBytes} gets 413; a response over {@code maxResponseBodyBytes} becomes a
 * 500, as in Traefik. 0 means no maximum. The body is read without blocking a thread.
 *
 * <p>{@code retryExpression} (oxy's): once a response is held, the condition decides whether to drop it and send
 * the held request again, as Traefik does: {@code IsNetworkError()} (the answer is 502 or 504),
 * {@code Attempts()} (1 for the first), {@code ResponseCode()}, {@code RequestMethod()}; at most
 * {@value #MAX_RETRIES} retries.
 */
@Extension
public final class Buffering implements Middleware<Buffering.Config> {

    static final long DEFAULT_MEM = 1024 * 1024;
    /** oxy's {@code DefaultMaxRetryAttempts}: no retry once {@code Attempts()} is past it. */
    static final int MAX_RETRIES = 10;

    /** What a {@code retryExpression} is tested on: one held response. */
    record Attempt(int number, int status, String method) {
    }

    private static final Map<String, OxyExpression.Fn<Attempt>> RETRY_FUNCTIONS = Map.of(
            "IsNetworkError", new OxyExpression.Fn<>(0, arguments -> (Predicate<Attempt>) attempt ->
                    attempt.status() == HttpStatus.BAD_GATEWAY_502 || attempt.status() == HttpStatus.GATEWAY_TIMEOUT_504),
            "Attempts", new OxyExpression.Fn<>(0, arguments -> (ToDoubleFunction<Attempt>) Attempt::number),
            "ResponseCode", new OxyExpression.Fn<>(0, arguments -> (ToDoubleFunction<Attempt>) Attempt::status),
            "RequestMethod", new OxyExpression.Fn<>(0, arguments -> (Function<Attempt, String>) Attempt::method));

    public record Config(Long maxRequestBodyBytes, Long memRequestBodyBytes, Long maxResponseBodyBytes,
            Long memResponseBodyBytes, String retryExpression) {
    }

    @Override
    public String name() {
        return "buffering";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        Config c = config == null ? new Config(null, null, null, null, null) : config;
        Predicate<Attempt> retry = c.retryExpression() == null || c.retryExpression().isBlank() ? null
                : OxyExpression.parse("retryExpression", c.retryExpression(), RETRY_FUNCTIONS);
        long maxRequest = nonNegative("maxRequestBodyBytes", c.maxRequestBodyBytes(), 0);
        long memRequest = nonNegative("memRequestBodyBytes", c.memRequestBodyBytes(), DEFAULT_MEM);
        long maxResponse = nonNegative("maxResponseBodyBytes", c.maxResponseBodyBytes(), 0);
        long memResponse = nonNegative("memResponseBodyBytes", c.memResponseBodyBytes(), DEFAULT_MEM);
        return new Handler.Wrapper() {
            /** A body past the memory limits is written to a file, which may block: run on a pool thread. */
            @Override
            public InvocationType getInvocationType() {
                return InvocationType.BLOCKING;
            }

            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (maxRequest > 0 && request.getLength() > maxRequest) {
                    return Responses.status(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413);
                }
                BodyStore body = new BodyStore(memRequest, maxRequest);
                new RequestReader(this, request, response, callback, body, maxResponse, memResponse, retry).run();
                return true;
            }
        };
    }

    private static long nonNegative(String option, Long value, long dflt) {
        long v = value == null ? dflt : value;
        if (v < 0) {
            throw new IllegalArgumentException("'" + option + "' must not be negative");
        }
        return v;
    }

    /** Reads the request body into the store, resuming on demand, then passes the request on. */
    private static final class RequestReader implements Runnable {
        private final Handler.Wrapper self;
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final BodyStore body;
        private final long maxResponse;
        private final long memResponse;
        private final Predicate<Attempt> retry;

        RequestReader(Handler.Wrapper self, Request request, Response response, Callback callback, BodyStore body,
                long maxResponse, long memResponse, Predicate<Attempt> retry) {
            this.self = self;
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.body = body;
            this.maxResponse = maxResponse;
            this.memResponse = memResponse;
            this.retry = retry;
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Content.Chunk chunk = request.read();
                    if (chunk == null) {
                        request.demand(this);
                        return;
                    }
                    if (Content.Chunk.isFailure(chunk)) {
                        body.close();
                        callback.failed(chunk.getFailure());
                        return;
                    }
                    boolean fits = body.append(chunk.getByteBuffer());
                    chunk.release();
                    if (!fits) {
                        body.close();
                        Responses.status(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413);
                        return;
                    }
                    if (chunk.isLast()) {
                        forward(1);
                        return;
                    }
                }
            } catch (Throwable t) {
                body.close();
                Response.writeError(request, response, callback, t);
            }
        }

        /** Sends attempt {@code number} of the held request on; a response its retry condition drops sends the next. */
        private void forward(int number) throws Exception {
            BufferedRequest buffered = new BufferedRequest(request, body);
            Predicate<Integer> retries = retry == null || number > MAX_RETRIES ? null
                    : status -> retry.test(new Attempt(number, status, request.getMethod()));
            BufferedResponse held = new BufferedResponse(buffered, response, memResponse, maxResponse, retries);
            Callback done = held.callback(Callback.from(callback, body::close), () -> {
                try {
                    forward(number + 1);
                } catch (Throwable failure) {
                    body.close();
                    callback.failed(failure);
                }
            });
            if (!self.getHandler().handle(buffered, held, done)) {
                Response.writeError(buffered, held, done, HttpStatus.NOT_FOUND_404);
            }
        }
    }

    /** The request with its body served from the store, with an exact Content-Length. */
    static final class BufferedRequest extends Request.Wrapper {
        private final BodyStore body;
        private final HttpFields headers;
        private long position;
        private boolean ended;

        BufferedRequest(Request wrapped, BodyStore body) {
            super(wrapped);
            this.body = body;
            HttpFields.Mutable h = HttpFields.build(wrapped.getHeaders());
            h.remove(HttpHeader.TRANSFER_ENCODING);
            if (body.size() > 0 || wrapped.getHeaders().contains(HttpHeader.CONTENT_LENGTH)) {
                h.put(HttpHeader.CONTENT_LENGTH, body.size());
            }
            this.headers = h.asImmutable();
        }

        @Override
        public HttpFields getHeaders() {
            return headers;
        }

        @Override
        public long getLength() {
            return body.size();
        }

        @Override
        public Content.Chunk read() {
            if (ended) {
                return Content.Chunk.EOF;
            }
            if (!body.inFile()) {
                ended = true;
                return Content.Chunk.from(body.memory(), true);
            }
            try {
                ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
                int n = body.read(position, buffer);
                if (n < 0) {
                    ended = true;
                    return Content.Chunk.EOF;
                }
                position += n;
                buffer.flip();
                boolean last = position >= body.size();
                ended = last;
                return Content.Chunk.from(buffer, last);
            } catch (IOException e) {
                return Content.Chunk.from(e);
            }
        }

        @Override
        public void demand(Runnable demandCallback) {
            // Everything is already here.
            demandCallback.run();
        }

        @Override
        public void fail(Throwable failure) {
            ended = true;
        }
    }

    /**
     * Holds the whole response, then sends it with an exact Content-Length; too large becomes a 500. With a retry
     * condition that the held status meets, the response is dropped instead (headers and body) and the request sent
     * again.
     */
    static final class BufferedResponse extends Response.Wrapper {
        private final BodyStore store;
        private final Predicate<Integer> retries;
        /** With a retry condition: the response as it was before this attempt, to go back to when it is dropped. */
        private final ResponseHead before;
        private boolean tooLarge;
        private boolean done;
        private boolean dropped;

        /** @param retries whether a held status is retried; null for never */
        BufferedResponse(Request request, Response wrapped, long mem, long max, Predicate<Integer> retries) {
            super(request, wrapped);
            this.store = new BodyStore(mem, max);
            this.retries = retries;
            this.before = retries == null ? null : ResponseHead.of(wrapped);
        }

        /** @param retry sends the request again once this attempt is dropped and done */
        Callback callback(Callback callback, Runnable retry) {
            return new Callback.Nested(callback) {
                @Override
                public void succeeded() {
                    if (done) {
                        if (dropped) {
                            retry.run();
                        } else {
                            super.succeeded();
                        }
                        return;
                    }
                    // Ended without a last write: make one, and come back here once it is done.
                    write(true, BufferUtil.EMPTY_BUFFER, Callback.from(this::succeeded, this::failed));
                }

                @Override
                public void failed(Throwable x) {
                    store.close();
                    if (dropped) {
                        retry.run();
                    } else {
                        super.failed(x);
                    }
                }
            };
        }

        @Override
        public void write(boolean last, ByteBuffer content, Callback callback) {
            try {
                if (!tooLarge && content != null && content.hasRemaining() && !store.append(content)) {
                    tooLarge = true;
                }
            } catch (IOException e) {
                store.close();
                callback.failed(e);
                return;
            }
            if (!last) {
                callback.succeeded();
                return;
            }
            done = true;
            Response wrapped = getWrapped();
            if (retries != null && !tooLarge && retries.test(wrapped.getStatus())) {
                dropped = true;
                store.close();
                before.restore(wrapped);
                callback.succeeded();
                return;
            }
            if (tooLarge) {
                store.close();
                wrapped.getHeaders().clear();
                Responses.status(wrapped, callback, HttpStatus.INTERNAL_SERVER_ERROR_500);
                return;
            }
            wrapped.getHeaders().remove(HttpHeader.TRANSFER_ENCODING);
            wrapped.getHeaders().put(HttpHeader.CONTENT_LENGTH, store.size());
            if (!store.inFile()) {
                ByteBuffer all = store.memory();
                store.close();
                wrapped.write(true, all, callback);
                return;
            }
            sendFile(wrapped, 0, callback);
        }

        private void sendFile(Response wrapped, long position, Callback callback) {
            try {
                ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
                int n = store.read(position, buffer);
                buffer.flip();
                long next = position + Math.max(0, n);
                boolean last = n < 0 || next >= store.size();
                if (last) {
                    wrapped.write(true, buffer, Callback.from(callback, store::close));
                } else {
                    wrapped.write(false, buffer, Callback.from(() -> sendFile(wrapped, next, callback), x -> {
                        store.close();
                        callback.failed(x);
                    }));
                }
            } catch (IOException e) {
                store.close();
                callback.failed(e);
            }
        }
    }
}

package dev.gatehouse.plugins.middlewares.compress;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code compress}: compresses responses with the best coding the client accepts ({@code Accept-Encoding} with
 * q-values; ties go to the order of {@code encodings}), streaming: each write of the backend is compressed and sent
 * on, never the whole body held. Responses under {@code minResponseBodyBytes} (1024) are sent as they are, as are
 * responses already encoded, HEAD requests, 1xx/204/304, excluded (or not included) content types, gRPC requests
 * and event streams.
 */
@Extension
public final class Compress implements Middleware<Compress.Config> {

    /** Media types not worth compressing when neither list is given (already compressed formats). */
    static final List<String> DEFAULT_EXCLUDED = List.of("image/", "video/", "audio/", "application/gzip",
            "application/x-gzip", "application/zip", "application/x-bzip2", "application/x-xz", "application/zstd",
            "application/x-7z-compressed", "application/x-rar-compressed", "font/woff", "font/woff2",
            "text/event-stream", "application/grpc");

    public record Config(List<String> excludedContentTypes, List<String> includedContentTypes, Integer minResponseBodyBytes,
            List<String> encodings, String defaultEncoding) {
    }

    @Override
    public String name() {
        return "compress";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        Config c = config == null ? new Config(null, null, null, null, null) : config;
        List<String> excluded = mediaTypes("excludedContentTypes", c.excludedContentTypes());
        List<String> included = mediaTypes("includedContentTypes", c.includedContentTypes());
        if (!excluded.isEmpty() && !included.isEmpty()) {
            throw new IllegalArgumentException("'excludedContentTypes' and 'includedContentTypes' are mutually exclusive");
        }
        int min = c.minResponseBodyBytes() == null ? 1024 : c.minResponseBodyBytes();
        if (min < 0) {
            throw new IllegalArgumentException("'minResponseBodyBytes' must not be negative");
        }
        List<Encoding> supported = new ArrayList<>();
        List<String> names = c.encodings() == null || c.encodings().isEmpty() ? List.of("br", "gzip") : c.encodings();
        for (String name : names) {
            String token = name.strip().toLowerCase(Locale.ROOT);
            if (token.equals("zstd")) {
                continue;   // not offered here; see docs/middlewares.md
            }
            Encoding e = Encoding.of(token);
            if (e == null) {
                throw new IllegalArgumentException("'encodings': unsupported encoding '" + name + "' (supported: br, gzip)");
            }
            if (e.available() && !supported.contains(e)) {
                supported.add(e);
            }
        }
        Encoding defaultEncoding = null;
        if (c.defaultEncoding() != null && !c.defaultEncoding().isEmpty()) {
            defaultEncoding = Encoding.of(c.defaultEncoding().strip().toLowerCase(Locale.ROOT));
            if (defaultEncoding == null || !supported.contains(defaultEncoding)) {
                throw new IllegalArgumentException("'defaultEncoding' must be one of the encodings, not '" + c.defaultEncoding() + "'");
            }
        }
        Encoding fallback = defaultEncoding;
        List<String> excludedTypes = excluded.isEmpty() && included.isEmpty() ? DEFAULT_EXCLUDED : excluded;
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (supported.isEmpty() || HttpMethod.HEAD.is(request.getMethod())) {
                    return super.handle(request, response, callback);
                }
                HttpFields headers = request.getHeaders();
                String contentType = headers.get(HttpHeader.CONTENT_TYPE);
                if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/grpc")) {
                    return super.handle(request, response, callback);
                }
                Encoding encoding = AcceptEncoding.choose(headers.getValuesList(HttpHeader.ACCEPT_ENCODING), supported, fallback);
                if (encoding == null) {
                    return super.handle(request, response, callback);
                }
                CompressingResponse compressing = new CompressingResponse(request, response, encoding, min, excludedTypes, included);
                return super.handle(request, compressing, compressing.callback(callback));
            }
        };
    }

    private static List<String> mediaTypes(String option, List<String> values) {
        List<String> out = new ArrayList<>();
        if (values != null) {
            for (String v : values) {
                String t = mediaType(v);
                if (t.isEmpty() || t.indexOf('/') <= 0) {
                    throw new IllegalArgumentException("'" + option + "': '" + v + "' is not a media type such as text/html");
                }
                out.add(t);
            }
        }
        return List.copyOf(out);
    }

    static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    /** Compresses what the next handler writes, once it is known to be worth it. */
    static final class CompressingResponse extends Response.Wrapper {

        private enum State { UNDECIDED, PASS, COMPRESS, DONE }

        private final Encoding encoding;
        private final int min;
        private final List<String> excluded;
        private final List<String> included;
        private State state = State.UNDECIDED;
        private boolean checked;
        private Encoding.Sink sink;
        private OutputStream encoder;
        private byte[] pending;
        private int pendingLength;

        CompressingResponse(Request request, Response wrapped, Encoding encoding, int min, List<String> excluded,
                List<String> included) {
            super(request, wrapped);
            this.encoding = encoding;
            this.min = min;
            this.excluded = excluded;
            this.included = included;
        }

        Callback callback(Callback callback) {
            return new Callback.Nested(callback) {
                @Override
                public void succeeded() {
                    if (state == State.DONE) {
                        super.succeeded();
                        return;
                    }
                    // The handler finished without a last write: finish the encoded stream through this wrapper.
                    Callback outer = getCallback();
                    write(true, BufferUtil.EMPTY_BUFFER, Callback.from(outer::succeeded, outer::failed));
                }

                @Override
                public void failed(Throwable x) {
                    release();
                    super.failed(x);
                }
            };
        }

        @Override
        public void write(boolean last, ByteBuffer content, Callback callback) {
            try {
                if (!checked) {
                    checked = true;
                    decide();
                }
                switch (state) {
                    case PASS -> {
                        if (last) {
                            state = State.DONE;
                        }
                        super.write(last, content, callback);
                    }
                    case COMPRESS -> compress(last, content, callback);
                    case UNDECIDED -> accumulate(last, content, callback);
                    default -> super.write(last, content, callback);
                }
            } catch (IOException | RuntimeException e) {
                release();
                callback.failed(e);
            }
        }

        /** Headers are final at the first write: the status, encoding, type and length say whether to compress. */
        private void decide() {
            Response wrapped = getWrapped();
            HttpFields.Mutable headers = wrapped.getHeaders();
            int status = wrapped.getStatus() == 0 ? 200 : wrapped.getStatus();   // 0: not set yet, 200 at commit
            if (status < 200 || status == 204 || status == 304 || headers.contains(HttpHeader.CONTENT_ENCODING)
                    || headers.contains(HttpHeader.CONTENT_RANGE)
                    || !compressibleType(headers.get(HttpHeader.CONTENT_TYPE))) {
                state = State.PASS;
                return;
            }
            addVary(headers);
            long length = headers.getLongField(HttpHeader.CONTENT_LENGTH);
            if (length >= 0) {
                if (length < min) {
                    state = State.PASS;
                } else {
                    start();
                }
            }
        }

        private boolean compressibleType(String contentType) {
            String type = contentType == null ? "" : mediaType(contentType);
            if (!included.isEmpty()) {
                return included.contains(type);
            }
            for (String e : excluded) {
                if (e.endsWith("/") ? type.startsWith(e) : type.equals(e)) {
                    return false;
                }
            }
            return true;
        }

        private static void addVary(HttpFields.Mutable headers) {
            for (HttpField vary : headers.getFields(HttpHeader.VARY)) {
                for (String v : vary.getValues()) {
                    if (v.strip().equalsIgnoreCase("Accept-Encoding") || v.strip().equals("*")) {
                        return;
                    }
                }
            }
            headers.add(HttpHeader.VARY, "Accept-Encoding");
        }

        private void start() {
            HttpFields.Mutable headers = getWrapped().getHeaders();
            headers.remove(HttpHeader.CONTENT_LENGTH);
            headers.remove(HttpHeader.ACCEPT_RANGES);
            headers.put(HttpHeader.CONTENT_ENCODING, encoding.token);
            String etag = headers.get(HttpHeader.ETAG);
            if (etag != null && etag.endsWith("\"") && !etag.startsWith("W/")) {
                // The encoded body is another representation: a strong validator of the original no longer fits.
                headers.put(HttpHeader.ETAG, "W/" + etag);
            }
            state = State.COMPRESS;
        }

        private void accumulate(boolean last, ByteBuffer content, Callback callback) throws IOException {
            int n = content == null ? 0 : content.remaining();
            if (pending == null) {
                pending = new byte[Math.max(min, n)];
            } else if (pendingLength + n > pending.length) {
                pending = java.util.Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + n));
            }
            if (n > 0) {
                content.get(pending, pendingLength, n);
                pendingLength += n;
            }
            if (pendingLength >= min) {
                start();
                ByteBuffer held = ByteBuffer.wrap(pending, 0, pendingLength);
                pending = null;
                compress(last, held, callback);
            } else if (last) {
                state = State.DONE;
                ByteBuffer held = ByteBuffer.wrap(pending, 0, pendingLength);
                pending = null;
                super.write(true, held, callback);
            } else {
                callback.succeeded();
            }
        }

        private void compress(boolean last, ByteBuffer content, Callback callback) throws IOException {
            if (encoder == null) {
                sink = new Encoding.Sink();
                encoder = encoding.open(sink);
            }
            int n = content == null ? 0 : content.remaining();
            if (n > 0) {
                if (content.hasArray()) {
                    encoder.write(content.array(), content.arrayOffset() + content.position(), n);
                    content.position(content.position() + n);
                } else {
                    byte[] copy = new byte[n];
                    content.get(copy);
                    encoder.write(copy);
                }
            }
            if (last) {
                encoder.close();
                encoder = null;
                state = State.DONE;
            } else if (n > 0) {
                encoder.flush();
            }
            byte[] out = sink.take();
            if (out.length == 0 && !last) {
                callback.succeeded();
                return;
            }
            super.write(last, ByteBuffer.wrap(out), callback);
        }

        /** Frees the encoder (brotli holds native memory) when the exchange fails midway. */
        void release() {
            OutputStream e = encoder;
            encoder = null;
            if (e != null) {
                try {
                    e.close();
                } catch (IOException | RuntimeException ignored) {
                    // failing anyway
                }
            }
        }
    }
}

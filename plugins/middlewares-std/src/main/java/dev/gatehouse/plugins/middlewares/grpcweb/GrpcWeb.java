package dev.gatehouse.plugins.middlewares.grpcweb;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code grpcWeb}: turns gRPC-Web requests from browsers into gRPC for the backend, and its answers back, as
 * Traefik does with improbable-eng's grpc-web wrapper: the content type is changed both ways, the gRPC trailers
 * ({@code grpc-status}) become a trailer frame at the end of the body, {@code application/grpc-web-text} bodies
 * are base64 both ways, and CORS is answered for the {@code allowOrigins}.
 */
@Extension
public final class GrpcWeb implements Middleware<GrpcWeb.Config> {

    /** @param allowOrigins origins allowed by CORS; {@code *} allows all */
    public record Config(List<String> allowOrigins) {
    }

    @Override
    public String name() {
        return "grpcWeb";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        List<String> origins = config == null || config.allowOrigins() == null ? List.of() : List.copyOf(config.allowOrigins());
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
                boolean grpcWeb = "POST".equals(request.getMethod()) && contentType != null
                        && contentType.startsWith("application/grpc-web");
                boolean preflight = "OPTIONS".equals(request.getMethod()) && request.getHeaders()
                        .get("Access-Control-Request-Headers") != null && request.getHeaders()
                        .get("Access-Control-Request-Headers").toLowerCase(Locale.ROOT).contains("x-grpc-web");
                if (!grpcWeb && !preflight) {
                    return super.handle(request, response, callback);
                }
                String origin = request.getHeaders().get(HttpHeader.ORIGIN);
                boolean allowed = origin != null && (origins.contains("*") || origins.contains(origin));
                if (preflight) {
                    preflight(request, response, callback, allowed ? origin : null);
                    return true;
                }
                if (allowed) {
                    response.getHeaders().add(HttpHeader.VARY, "Origin");
                    response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                    response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
                }
                boolean text = contentType.startsWith("application/grpc-web-text");
                String grpcType = contentType.replaceFirst("^application/grpc-web(-text)?", "application/grpc");
                String webType = text ? "application/grpc-web-text" : "application/grpc-web";
                HttpFields.Mutable headers = HttpFields.build(request.getHeaders());
                headers.put(HttpHeader.CONTENT_TYPE, grpcType);
                headers.put(HttpHeader.TE, "trailers");   // the gateway then passes the gRPC trailers on
                if (text) {
                    headers.remove(HttpHeader.CONTENT_LENGTH);
                }
                Request grpc = new GrpcRequest(request, headers.asImmutable(), text);
                return super.handle(grpc, new WebResponse(request, response, webType, text), callback);
            }
        };
    }

    /** Answers a CORS preflight as the rs/cors library in front of Traefik's gRPC-Web handler does. */
    private static void preflight(Request request, Response response, Callback callback, String origin) {
        HttpFields.Mutable headers = response.getHeaders();
        headers.add(HttpHeader.VARY, "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        String method = request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD);
        if (origin != null && method != null && Set.of("GET", "POST", "HEAD").contains(method.toUpperCase(Locale.ROOT))) {
            headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, method.toUpperCase(Locale.ROOT));
            String requested = request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_HEADERS);
            if (requested != null && !requested.isBlank()) {
                headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, requested);
            }
            headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            headers.put(HttpHeader.ACCESS_CONTROL_MAX_AGE, "600");
        }
        response.setStatus(200);
        response.write(true, null, callback);
    }

    /** The browser's request as gRPC: other content type, {@code TE: trailers}, and for text its body decoded. */
    static final class GrpcRequest extends Request.Wrapper {
        private final HttpFields headers;
        private final boolean text;
        /** Base64 characters not decoded yet (fewer than four). */
        private final StringBuilder pending = new StringBuilder();

        GrpcRequest(Request request, HttpFields headers, boolean text) {
            super(request);
            this.headers = headers;
            this.text = text;
        }

        @Override
        public HttpFields getHeaders() {
            return headers;
        }

        @Override
        public long getLength() {
            return text ? -1 : super.getLength();
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk chunk = super.read();
            if (!text || chunk == null || Content.Chunk.isFailure(chunk)) {
                return chunk;
            }
            ByteBuffer buffer = chunk.getByteBuffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            boolean last = chunk.isLast();
            chunk.release();
            for (byte b : bytes) {
                if (!Character.isWhitespace(b)) {
                    pending.append((char) b);
                }
            }
            // Padded groups may follow one another (one per message): decode up to each padding, and what is complete.
            int usable = last ? pending.length() : pending.length() - pending.length() % 4;
            ByteArrayOutputStream decoded = new ByteArrayOutputStream();
            try {
                int start = 0;
                for (int i = 4; i <= usable; i += 4) {
                    if (pending.charAt(i - 1) == '=' || i == usable) {
                        decoded.writeBytes(Base64.getDecoder().decode(pending.substring(start, i)));
                        start = i;
                    }
                }
                if (start < usable) {
                    decoded.writeBytes(Base64.getDecoder().decode(pending.substring(start, usable)));
                }
            } catch (IllegalArgumentException e) {
                return Content.Chunk.from(new IllegalArgumentException("grpc-web-text body is not base64: " + e.getMessage()), true);
            }
            pending.delete(0, usable);
            return Content.Chunk.from(ByteBuffer.wrap(decoded.toByteArray()), last);
        }
    }

    /**
     * The gRPC answer as gRPC-Web: content type back, the headers exposed to scripts, and the trailers (which
     * the gateway hands over instead of sending) as a frame flagged {@code 0x80} at the end of the body.
     */
    static final class WebResponse extends Response.Wrapper {
        private final String webType;
        private final boolean text;
        private Supplier<HttpFields> trailers;
        private boolean started;
        /** Bytes not base64-encoded yet (fewer than three), for text. */
        private byte[] carry = new byte[0];

        WebResponse(Request request, Response response, String webType, boolean text) {
            super(request, response);
            this.webType = webType;
            this.text = text;
        }

        @Override
        public void setTrailersSupplier(Supplier<HttpFields> trailers) {
            this.trailers = trailers;
        }

        @Override
        public Supplier<HttpFields> getTrailersSupplier() {
            return trailers;
        }

        @Override
        public void write(boolean last, ByteBuffer content, Callback callback) {
            if (!started) {
                started = true;
                HttpFields.Mutable headers = getHeaders();
                String type = headers.get(HttpHeader.CONTENT_TYPE);
                if (type != null && type.startsWith("application/grpc")) {
                    headers.put(HttpHeader.CONTENT_TYPE, type.replaceFirst("^application/grpc", webType));
                }
                headers.remove(HttpHeader.CONTENT_LENGTH);
                Set<String> names = new LinkedHashSet<>();
                for (HttpField field : headers) {
                    names.add(canonical(field.getName()));
                }
                headers.put(HttpHeader.ACCESS_CONTROL_EXPOSE_HEADERS, String.join(", ", names));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (content != null) {
                ByteBuffer copy = content.slice();
                byte[] bytes = new byte[copy.remaining()];
                copy.get(bytes);
                out.writeBytes(bytes);
            }
            if (last) {
                out.writeBytes(trailerFrame());
            }
            byte[] body = out.toByteArray();
            if (text) {
                body = encode(body, last);
            }
            super.write(last, ByteBuffer.wrap(body), callback);
        }

        private byte[] trailerFrame() {
            HttpFields fields = trailers == null ? null : trailers.get();
            if (fields == null || fields.size() == 0) {
                return new byte[0];
            }
            StringBuilder block = new StringBuilder();
            for (HttpField field : fields) {
                block.append(field.getLowerCaseName()).append(": ").append(field.getValue()).append("\r\n");
            }
            byte[] bytes = block.toString().getBytes(StandardCharsets.UTF_8);
            ByteBuffer frame = ByteBuffer.allocate(5 + bytes.length);
            frame.put((byte) 0x80).putInt(bytes.length).put(bytes);
            return frame.array();
        }

        /** Base64 of the bytes so far, keeping back up to two so that the encoding is one unbroken stream. */
        private byte[] encode(byte[] bytes, boolean last) {
            byte[] all = new byte[carry.length + bytes.length];
            System.arraycopy(carry, 0, all, 0, carry.length);
            System.arraycopy(bytes, 0, all, carry.length, bytes.length);
            int usable = last ? all.length : all.length - all.length % 3;
            carry = java.util.Arrays.copyOfRange(all, usable, all.length);
            return Base64.getEncoder().encode(java.util.Arrays.copyOf(all, usable));
        }

        private static String canonical(String name) {
            List<String> parts = new ArrayList<>();
            for (String part : name.toLowerCase(Locale.ROOT).split("-", -1)) {
                parts.add(part.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
            }
            return String.join("-", parts);
        }
    }
}

package dev.gatehouse.core.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.Compressor;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.GrpcSender;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.GrpcSenderProvider;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.MessageWriter;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * OTLP over gRPC with Jetty's HTTP/2 client, which the gateway already ships for {@code h2c} backends: the
 * OpenTelemetry SDK finds it through {@link GrpcSenderProvider} (registered in {@code META-INF/services}), so that
 * no second HTTP stack (OkHttp and Kotlin's runtime) is needed. One unary call per export: a length-prefixed,
 * optionally compressed message out; the status from the {@code grpc-status} trailer (or header, for a
 * trailers-only answer) back. Retryable statuses and connection failures are tried again as the SDK's retry policy
 * says (exponential backoff with jitter, 5 attempts by default), as the SDK's own senders do.
 */
public final class JettyGrpcSender implements GrpcSender {

    private final HttpClient client;
    private final URI uri;
    private final GrpcSenderConfig config;

    /** Found by the SDK through {@code ServiceLoader}. */
    public static final class Provider implements GrpcSenderProvider {
        @Override
        public GrpcSender createSender(GrpcSenderConfig config) {
            return new JettyGrpcSender(config);
        }
    }

    JettyGrpcSender(GrpcSenderConfig config) {
        this.config = config;
        URI endpoint = config.getEndpoint();
        String base = endpoint.toString().endsWith("/") ? endpoint.toString() : endpoint + "/";
        this.uri = URI.create(base + config.getFullMethodName());
        ClientConnector connector = new ClientConnector();
        if ("https".equals(endpoint.getScheme())) {
            SslContextFactory.Client tls = new SslContextFactory.Client();
            if (config.getSslContext() != null) {
                tls.setSslContext(config.getSslContext());
            }
            connector.setSslContextFactory(tls);
        }
        if (config.getConnectTimeout() != null) {
            connector.setConnectTimeout(config.getConnectTimeout());
        }
        QueuedThreadPool threads = new QueuedThreadPool(8, 1);
        threads.setName("gatehouse-otlp-grpc");
        threads.setDaemon(true);
        connector.setExecutor(threads);
        client = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client(connector)));
        client.setExecutor(threads);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP/2 client of the OTLP gRPC exporter", e);
        }
    }

    @Override
    public void send(MessageWriter writer, Consumer<GrpcResponse> onResponse, Consumer<Throwable> onError) {
        byte[] frame;
        try {
            frame = frame(writer, config.getCompressor());
        } catch (IOException e) {
            onError.accept(e);
            return;
        }
        attempt(frame, 1, onResponse, onError);
    }

    /** One call; a retryable answer or failure is tried again after a backoff, as the SDK's retry policy says. */
    private void attempt(byte[] frame, int attempt, Consumer<GrpcResponse> onResponse, Consumer<Throwable> onError) {
        org.eclipse.jetty.client.Request request = client.newRequest(uri).method(HttpMethod.POST)
                .version(HttpVersion.HTTP_2)
                .headers(headers -> {
                    headers.put("content-type", "application/grpc");
                    headers.put("te", "trailers");
                    if (config.getCompressor() != null) {
                        headers.put("grpc-encoding", config.getCompressor().getEncoding());
                    }
                    if (config.getHeadersSupplier() != null) {
                        config.getHeadersSupplier().get().forEach((name, values) -> values.forEach(value -> headers.add(name, value)));
                    }
                })
                .body(new BytesRequestContent("application/grpc", frame));
        if (config.getTimeout() != null && !config.getTimeout().isZero()) {
            request.timeout(config.getTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        long limit = config.getMaxResponseBodySize();
        request.send(new BufferingResponseListener((int) Math.min(Integer.MAX_VALUE, limit > 0 ? limit : 4 << 20)) {
            @Override
            public void onComplete(Result result) {
                RetryPolicy retry = config.getRetryPolicy();
                boolean again = retry != null && attempt < retry.getMaxAttempts();
                if (result.isFailed()) {
                    Throwable failure = result.getFailure();
                    if (again && failure instanceof IOException io && (retry.getRetryExceptionPredicate() != null
                            ? retry.getRetryExceptionPredicate().test(io) : io instanceof java.net.ConnectException)) {
                        later(retry, attempt, () -> attempt(frame, attempt + 1, onResponse, onError));
                    } else {
                        onError.accept(failure);
                    }
                    return;
                }
                GrpcResponse response = response(result.getResponse(), getContent());
                if (again && RETRYABLE.contains(response.getStatusCode())) {
                    later(retry, attempt, () -> attempt(frame, attempt + 1, onResponse, onError));
                } else {
                    onResponse.accept(response);
                }
            }
        });
    }

    /** The gRPC statuses the OTLP specification says a client retries. */
    private static final java.util.Set<GrpcStatusCode> RETRYABLE = java.util.EnumSet.of(GrpcStatusCode.CANCELLED,
            GrpcStatusCode.DEADLINE_EXCEEDED, GrpcStatusCode.RESOURCE_EXHAUSTED, GrpcStatusCode.ABORTED,
            GrpcStatusCode.OUT_OF_RANGE, GrpcStatusCode.UNAVAILABLE, GrpcStatusCode.DATA_LOSS);

    /** Runs {@code next} after the policy's exponential backoff for {@code attempt}, with full jitter. */
    private void later(RetryPolicy retry, int attempt, Runnable next) {
        double backoff = retry.getInitialBackoff().toNanos() * Math.pow(retry.getBackoffMultiplier(), attempt - 1);
        long cap = Math.min((long) backoff, retry.getMaxBackoff().toNanos());
        long delay = (long) (java.util.concurrent.ThreadLocalRandom.current().nextDouble() * cap);
        client.getScheduler().schedule(next, delay, TimeUnit.NANOSECONDS);
    }

    /** gRPC's length-prefixed message: a compressed flag, the length (4 bytes, big-endian), the message. */
    static byte[] frame(MessageWriter writer, Compressor compressor) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream(Math.max(32, writer.getContentLength()));
        if (compressor != null) {
            try (OutputStream compressing = compressor.compress(message)) {
                writer.writeMessage(compressing);
            }
        } else {
            writer.writeMessage(message);
        }
        ByteBuffer frame = ByteBuffer.allocate(5 + message.size());
        frame.put((byte) (compressor != null ? 1 : 0)).putInt(message.size()).put(message.toByteArray());
        return frame.array();
    }

    private static GrpcResponse response(org.eclipse.jetty.client.Response response, byte[] body) {
        HttpFields trailers = response.getTrailers();
        String status = trailers != null ? trailers.get("grpc-status") : null;
        String message = trailers != null ? trailers.get("grpc-message") : null;
        if (status == null) {
            // A trailers-only answer carries the status in the headers.
            status = response.getHeaders().get("grpc-status");
            message = response.getHeaders().get("grpc-message");
        }
        GrpcStatusCode code;
        if (status != null) {
            try {
                code = GrpcStatusCode.fromValue(Integer.parseInt(status.strip()));
            } catch (NumberFormatException e) {
                code = GrpcStatusCode.UNKNOWN;
            }
        } else {
            // No gRPC status at all: map the HTTP status as gRPC clients do.
            code = response.getStatus() == 200 ? GrpcStatusCode.UNKNOWN : httpToGrpc(response.getStatus());
            message = "HTTP status " + response.getStatus();
        }
        byte[] payload = body != null && body.length >= 5 ? java.util.Arrays.copyOfRange(body, 5, body.length) : new byte[0];
        String description = message == null ? "" : java.net.URLDecoder.decode(message.replace("+", "%2B"),
                java.nio.charset.StandardCharsets.UTF_8);
        GrpcStatusCode finalCode = code;
        return new GrpcResponse() {
            @Override
            public GrpcStatusCode getStatusCode() {
                return finalCode;
            }

            @Override
            public String getStatusDescription() {
                return description;
            }

            @Override
            public byte[] getResponseMessage() {
                return payload;
            }
        };
    }

    private static GrpcStatusCode httpToGrpc(int status) {
        return switch (status) {
            case 400 -> GrpcStatusCode.INTERNAL;
            case 401 -> GrpcStatusCode.UNAUTHENTICATED;
            case 403 -> GrpcStatusCode.PERMISSION_DENIED;
            case 404 -> GrpcStatusCode.UNIMPLEMENTED;
            case 429, 502, 503, 504 -> GrpcStatusCode.UNAVAILABLE;
            default -> GrpcStatusCode.UNKNOWN;
        };
    }

    @Override
    public CompletableResultCode shutdown() {
        try {
            client.stop();
            return CompletableResultCode.ofSuccess();
        } catch (Exception e) {
            return CompletableResultCode.ofFailure();
        }
    }
}

package dev.gatehouse.core.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The span of one request to a server ({@code ReverseProxy}, client kind): its context goes to the server in
 * {@code traceparent}, and it ends when the response to the client is done, with the status the client got.
 */
public final class ClientSpan {

    private final Tracing tracing;
    private final Span span;
    private final Context context;

    ClientSpan(Tracing tracing, Span span, Context context) {
        this.tracing = tracing;
        this.span = span;
        this.context = context;
    }

    /** Sets {@code traceparent}, {@code tracestate} and {@code baggage} on the request to the server. */
    public void inject(HttpFields.Mutable proxyToServerHeaders) {
        tracing.inject(context, proxyToServerHeaders);
    }

    /** {@code callback}, ending this span first. */
    public Callback ending(Callback callback, Response proxyToClient) {
        return Callback.from(() -> tracing.endClientSpan(span, proxyToClient), callback);
    }
}

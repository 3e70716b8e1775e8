package dev.gatehouse.core.tracing;

import io.opentelemetry.context.Context;
import org.eclipse.jetty.server.Request;

/**
 * A request being traced, as the layers below one span see it: carries the OpenTelemetry context whose span is
 * the parent of the next span (Go's request context, in Traefik). Each span layer wraps the request it passes on,
 * so a middleware that calls the rest of its chain more than once (retry) parents each attempt correctly. Exists
 * only for requests that are traced: finding none is the whole cost of tracing for the others.
 */
final class TracedRequest extends Request.Wrapper {

    final Tracing tracing;
    final Context context;
    /** {@code traceVerbosity: detailed}: router, middleware and service spans too. */
    final boolean detailed;

    TracedRequest(Request request, Tracing tracing, Context context, boolean detailed) {
        super(request);
        this.tracing = tracing;
        this.context = context;
        this.detailed = detailed;
    }

    /** The innermost traced layer of {@code request}, or null when it is not traced. */
    static TracedRequest find(Request request) {
        Request current = request;
        while (current instanceof Request.Wrapper wrapper) {
            if (current instanceof TracedRequest traced) {
                return traced;
            }
            current = wrapper.getWrapped();
        }
        return null;
    }
}

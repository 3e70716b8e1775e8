package dev.gatehouse.plugins.middlewares.internal;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;

/**
 * A request with another URI and/or other headers, one wrapper for both so that a middleware changing the path
 * and adding a header (stripPrefix) wraps once. The gateway forwards {@code getHttpURI().getPathQuery()} and
 * {@code getHeaders()}, so what is set here is what the backend gets.
 */
public final class RewrittenRequest extends Request.Wrapper {

    private final HttpURI uri;
    private final HttpFields headers;

    private RewrittenRequest(Request wrapped, HttpURI uri, HttpFields headers) {
        super(wrapped);
        this.uri = uri;
        this.headers = headers;
    }

    /** {@code request} with the URI and headers given; a null argument keeps the request's own. */
    public static Request of(Request request, HttpURI uri, HttpFields headers) {
        return new RewrittenRequest(request, uri, headers);
    }

    /** {@code request} with its path (raw, percent-encoded) replaced; the query stays. */
    public static HttpURI withPath(Request request, String rawPath) {
        return HttpURI.build(request.getHttpURI()).path(rawPath).asImmutable();
    }

    /** The request's headers plus {@code name: value}, copied once. */
    public static HttpFields withAdded(Request request, String name, String value) {
        return HttpFields.build(request.getHeaders()).add(name, value).asImmutable();
    }

    @Override
    public HttpURI getHttpURI() {
        return uri != null ? uri : super.getHttpURI();
    }

    @Override
    public HttpFields getHeaders() {
        return headers != null ? headers : super.getHeaders();
    }
}

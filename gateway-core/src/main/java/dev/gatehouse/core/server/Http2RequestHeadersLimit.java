package dev.gatehouse.core.server;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

/**
 * Answers 431 on its own stream to an HTTP/2 request whose header section is over the entry point's limit, as an
 * HTTP/1.1 request gets 431, and lets the connection and its other streams carry on.
 *
 * <p>Jetty cannot do that by itself: its HPACK decoder stops at the first field past its limit and fails the whole
 * connection (GOAWAY), since its header table is then out of step with the client's and no later stream could be
 * decoded. So HTTP/2 connections get a decoder that takes header sections up to {@value #DECODER_FACTOR} times the
 * limit (and advertises that as {@code SETTINGS_MAX_HEADER_LIST_SIZE}), and this customizer holds each request to
 * the limit itself. Past the decoder's bound the connection is still closed: that bound is what keeps a client from
 * making the gateway decode (and hold) an unbounded header section.
 *
 * <p>A section's size is counted as HTTP/2 counts it (RFC 9113, 6.5.2): each field's name and value plus 32, the
 * pseudo-header fields ({@code :method}, {@code :scheme}, {@code :authority}, {@code :path}) included.
 */
final class Http2RequestHeadersLimit implements HttpConfiguration.Customizer {

    /** How many times the limit the HPACK decoder takes before it fails the connection. */
    static final int DECODER_FACTOR = 4;

    /** RFC 9113's per-field overhead in a header section's size. */
    private static final int FIELD_OVERHEAD = 32;

    private final int limit;

    private Http2RequestHeadersLimit(int limit) {
        this.limit = limit;
    }

    /**
     * The configuration for the HTTP/2 connection factories of an entry point whose HTTP/1.1 one uses {@code http}:
     * the same, with a decoder bound {@value #DECODER_FACTOR} times {@code http}'s request header size and requests
     * held to that size by this customizer.
     */
    static HttpConfiguration forHttp2(HttpConfiguration http) {
        HttpConfiguration http2 = new HttpConfiguration(http);
        http2.setRequestHeaderSize(http.getRequestHeaderSize() * DECODER_FACTOR);
        http2.addCustomizer(new Http2RequestHeadersLimit(http.getRequestHeaderSize()));
        return http2;
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        if (sectionSize(request) > limit) {
            throw new HttpException.RuntimeException(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431,
                    "header section larger than " + limit + " bytes");
        }
        return request;
    }

    /** The size of the request's header section as HTTP/2 counts it. */
    static long sectionSize(Request request) {
        HttpURI uri = request.getHttpURI();
        long size = pseudo(":method", request.getMethod()) + pseudo(":scheme", uri.getScheme())
                + pseudo(":authority", uri.getAuthority()) + pseudo(":path", uri.getPathQuery());
        for (HttpField field : request.getHeaders()) {
            size += field.getName().length() + String.valueOf(field.getValue()).length() + FIELD_OVERHEAD;
        }
        return size;
    }

    private static long pseudo(String name, String value) {
        return value == null ? 0 : name.length() + value.length() + FIELD_OVERHEAD;
    }
}

package dev.gatehouse.core.http;

import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The one place where the gateway's own error answers are decided and written: no route 404, no
 * available server 503, upstream unreachable 502, upstream too slow 504. Bodies are plain text, as
 * Traefik's are, and pre-encoded once.
 */
public final class ErrorResponses {

    private static final HttpField TEXT_PLAIN =
            new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    private static final ByteBuffer NOT_FOUND = body("404 page not found\n");
    private static final ByteBuffer BAD_GATEWAY = body("Bad Gateway");
    private static final ByteBuffer SERVICE_UNAVAILABLE = body("Service Unavailable");
    private static final ByteBuffer GATEWAY_TIMEOUT = body("Gateway Timeout");
    private static final ByteBuffer INTERNAL_ERROR = body("Internal Server Error");

    private ErrorResponses() {
    }

    private static ByteBuffer body(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    }

    /** No router matched the request. */
    public static void notFound(Request request, Response response, Callback callback) {
        write(response, callback, HttpStatus.NOT_FOUND_404, NOT_FOUND);
    }

    /** The matched router's service has no server that can take the request. */
    public static void serviceUnavailable(Request request, Response response, Callback callback) {
        write(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, SERVICE_UNAVAILABLE);
    }

    /** An extension from a plugin failed on this request (the caller logs which). */
    public static void internalError(Request request, Response response, Callback callback) {
        write(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, INTERNAL_ERROR);
    }

    /**
     * Forwarding to a server failed before any of its response reached the client: 504 when the cause is a
     * timeout (connecting or waiting for the response), else 502.
     */
    public static void upstreamFailed(Request request, Response response, Callback callback, Throwable failure) {
        if (isTimeout(failure)) {
            write(response, callback, HttpStatus.GATEWAY_TIMEOUT_504, GATEWAY_TIMEOUT);
        } else {
            write(response, callback, HttpStatus.BAD_GATEWAY_502, BAD_GATEWAY);
        }
    }

    /** The status {@link #upstreamFailed} answers with for this failure. */
    public static int statusFor(Throwable failure) {
        return isTimeout(failure) ? HttpStatus.GATEWAY_TIMEOUT_504 : HttpStatus.BAD_GATEWAY_502;
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TimeoutException || cause instanceof SocketTimeoutException) {
                return true;
            }
            if (cause instanceof UnknownHostException || cause.getCause() == cause) {
                return false;
            }
        }
        return false;
    }

    private static void write(Response response, Callback callback, int status, ByteBuffer body) {
        if (response.isCommitted()) {
            // Part of a response already went out: the only honest signal left is to break the connection.
            callback.failed(new IllegalStateException("response already committed, cannot send " + status));
            return;
        }
        response.reset();
        response.setStatus(status);
        response.getHeaders().put(TEXT_PLAIN);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.remaining());
        response.write(true, body.slice(), callback);
    }
}

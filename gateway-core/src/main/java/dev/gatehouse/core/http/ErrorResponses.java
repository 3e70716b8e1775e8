package dev.gatehouse.core.http;

import dev.gatehouse.api.http.ForwardingListener;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The one place where the gateway's own error answers are decided and written: no route 404, no
 * available server 503, upstream unreachable 502, upstream too slow 504; and for what the client caused,
 * 408 (its body stalled), 400 (its body was malformed) or, when it went away, nothing at all (logged as 499,
 * as Traefik and nginx do). Bodies are plain text, as Traefik's are, and pre-encoded once.
 */
public final class ErrorResponses {

    private static final HttpField TEXT_PLAIN =
            new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    private static final ByteBuffer NOT_FOUND = body("404 page not found\n");
    private static final ByteBuffer BAD_GATEWAY = body("Bad Gateway");
    private static final ByteBuffer SERVICE_UNAVAILABLE = body("Service Unavailable");
    private static final ByteBuffer GATEWAY_TIMEOUT = body("Gateway Timeout");
    private static final ByteBuffer INTERNAL_ERROR = body("Internal Server Error");
    private static final ByteBuffer REQUEST_TIMEOUT = body("Request Timeout");
    private static final ByteBuffer BAD_REQUEST = body("Bad Request");
    private static final ByteBuffer REQUEST_BODY_TOO_LARGE = body("Request body too large\n");

    /**
     * Client Closed Request: not sent (the client is gone) but recorded, in the access log and the metrics, for a
     * client that went away before its answer began. Traefik's and nginx's code for it.
     */
    public static final int CLIENT_CLOSED_REQUEST = 499;

    private ErrorResponses() {
    }

    private static ByteBuffer body(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    }

    /** No router matched the request. */
    public static void notFound(Request request, Response response, Callback callback) {
        write(response, callback, HttpStatus.NOT_FOUND_404, NOT_FOUND);
    }

    /** The request itself is refused (a path with an encoded character its entry point does not allow). */
    public static void badRequest(Request request, Response response, Callback callback) {
        write(response, callback, HttpStatus.BAD_REQUEST_400, BAD_REQUEST);
    }

    /** The request's body is larger than the service may hold in memory to send it again ({@code failover.errors}). */
    public static void requestBodyTooLarge(Request request, Response response, Callback callback) {
        write(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, REQUEST_BODY_TOO_LARGE);
    }

    /** The matched router's service has no server that can take the request. */
    public static void serviceUnavailable(Request request, Response response, Callback callback) {
        // No server was tried: the request is untouched, and a retry middleware may send it again. (Traefik's 503 from
        // a balancer is not a network error; here passive health is always on, so the servers a retry just found
        // refusing are out, and their 503 is the same failure seen again.)
        notForwarded(request, new IllegalStateException("no server available"));
        FailureLog.serviceUnavailable(request);
        write(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, SERVICE_UNAVAILABLE);
    }

    /**
     * Tells the middleware listening for it ({@link ForwardingListener}, such as {@code retry}) that the gateway is
     * answering {@code request} itself, without any of it having reached a server or been read from the client.
     */
    public static void notForwarded(Request request, Throwable cause) {
        ForwardingListener listener = ForwardingListener.of(request);
        if (listener != null) {
            listener.notForwarded(cause);
        }
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

    /**
     * The exchange failed because of the client (its request body stalled, was malformed, reset or cut short, or it
     * stopped taking the response): 408 when it timed out, 400 when its body was malformed, and when it went away
     * nothing, since nobody is there to read it: the request is recorded as {@value #CLIENT_CLOSED_REQUEST} and the
     * callback fails, which breaks the connection or resets the stream. A response already under way is broken off.
     */
    public static void clientFailed(Request request, Response response, Callback callback, Throwable failure) {
        int status = clientFailureStatus(failure);
        if (response.isCommitted() || status == CLIENT_CLOSED_REQUEST) {
            if (!response.isCommitted()) {
                response.setStatus(CLIENT_CLOSED_REQUEST);
            }
            callback.failed(failure);
            return;
        }
        ByteBuffer body = switch (status) {
            case HttpStatus.REQUEST_TIMEOUT_408 -> REQUEST_TIMEOUT;
            case HttpStatus.BAD_REQUEST_400 -> BAD_REQUEST;
            default -> body(HttpStatus.getMessage(status));
        };
        // The rest of the body never came, or cannot be parsed: the connection cannot carry another request.
        write(response, callback, status, body, request.getConnectionMetaData().getHttpVersion().getVersion() < 20);
    }

    /**
     * The status {@link #clientFailed} gives a failure of the client: 408 for a timeout (the entry point's
     * {@code readTimeout}, or Jetty's idle timeout where no read timeout is set), the 4xx status Jetty gave a
     * malformed body (400 for a bad chunk), else {@value #CLIENT_CLOSED_REQUEST}: the client went away (its
     * connection closed or reset, its stream reset).
     */
    public static int clientFailureStatus(Throwable failure) {
        if (isTimeout(failure) || RequestReadTimeoutException.isCause(failure)) {
            return HttpStatus.REQUEST_TIMEOUT_408;
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // Jetty's "Early EOF" is both an EofException and a 400: the client closed mid-body, it is gone.
            if (cause instanceof EofException || cause instanceof java.nio.channels.ClosedChannelException) {
                return CLIENT_CLOSED_REQUEST;
            }
            if (cause instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
                return http.getCode();
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return CLIENT_CLOSED_REQUEST;
    }

    /**
     * Whether {@code failure} is, or was caused by, a timeout: the one classifier for 504 against 502, passive health
     * and the client's 408. As Go's {@code net.Error.Timeout()} for Traefik: a name lookup that timed out (Jetty's
     * "DNS timeout", or an {@link java.net.UnknownHostException} caused by a timeout) is one, a name that does not
     * exist is not.
     */
    public static boolean isTimeout(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof TimeoutException || cause instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static void write(Response response, Callback callback, int status, ByteBuffer body) {
        write(response, callback, status, body, false);
    }

    /** @param closeConnection whether to say {@code Connection: close} (HTTP/1 only) */
    private static void write(Response response, Callback callback, int status, ByteBuffer body, boolean closeConnection) {
        if (response.isCommitted()) {
            // Part of a response already went out: the only honest signal left is to break the connection.
            callback.failed(new IllegalStateException("response already committed, cannot send " + status));
            return;
        }
        response.reset();
        response.setStatus(status);
        response.getHeaders().put(TEXT_PLAIN);
        if (closeConnection) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.remaining());
        response.write(true, body.slice(), callback);
    }
}

package dev.gatehouse.core.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code ping@internal}: 200 {@code OK} while serving, {@code ping.terminatingStatusCode} (503) once shutdown
 * has begun, so that a load balancer in front stops sending traffic before the listeners close. Reached through the
 * {@code ping@internal} router ({@code PathPrefix(`/ping`)} on {@code ping.entryPoint}) or a user's router to it.
 */
final class PingHandler extends Handler.Abstract.NonBlocking {

    private static final ByteBuffer OK = ByteBuffer.wrap("OK".getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();

    private final int terminatingStatus;
    private volatile boolean terminating;

    PingHandler(int terminatingStatus) {
        this.terminatingStatus = terminatingStatus;
    }

    void terminating() {
        terminating = true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (terminating) {
            response.setStatus(terminatingStatus);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
            response.write(true, null, callback);
            return true;
        }
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, OK.remaining());
        response.write(true, HttpMethod.HEAD.is(request.getMethod()) ? null : OK.slice(), callback);
        return true;
    }
}

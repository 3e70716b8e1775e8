package dev.gatehouse.plugins.middlewares.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Answers the middlewares give themselves, in Go's {@code http.Error} form: status text in plain text. */
public final class Responses {

    private Responses() {
    }

    /** Writes {@code status} with {@code body} (plain text) and completes the callback; returns true. */
    public static boolean text(Response response, Callback callback, int status, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }

    /** {@code status} with its reason phrase as body, as Go's {@code http.Error(rw, http.StatusText(s), s)}. */
    public static boolean status(Response response, Callback callback, int status) {
        return text(response, callback, status, HttpStatus.getMessage(status) + "\n");
    }
}

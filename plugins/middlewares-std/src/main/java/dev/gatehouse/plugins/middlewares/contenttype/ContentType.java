package dev.gatehouse.plugins.middlewares.contenttype;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code contentType}: when the backend sends a body without {@code Content-Type}, sets one detected from the
 * first bytes, as Go's {@code http.DetectContentType} does (Traefik does not guess otherwise). {@code autoDetect}
 * is accepted for compatibility; {@code autoDetect: false} turns the middleware into a no-op.
 */
@Extension
public final class ContentType implements Middleware<ContentType.Config> {

    public record Config(Boolean autoDetect) {
    }

    @Override
    public String name() {
        return "contentType";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        if (config != null && Boolean.FALSE.equals(config.autoDetect())) {
            return new Handler.Wrapper();
        }
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return super.handle(request, new Sniffing(request, response), callback);
            }
        };
    }

    /** Sets the detected type at the first write that carries bytes, if the backend set none. */
    static final class Sniffing extends Response.Wrapper {
        private boolean done;

        Sniffing(Request request, Response wrapped) {
            super(request, wrapped);
        }

        @Override
        public void write(boolean last, ByteBuffer content, Callback callback) {
            if (!done && content != null && content.hasRemaining()) {
                done = true;
                if (!getWrapped().isCommitted() && !getWrapped().getHeaders().contains(HttpHeader.CONTENT_TYPE)) {
                    getWrapped().getHeaders().put(HttpHeader.CONTENT_TYPE, Sniffer.detect(content));
                }
            }
            super.write(last, content, callback);
        }
    }
}

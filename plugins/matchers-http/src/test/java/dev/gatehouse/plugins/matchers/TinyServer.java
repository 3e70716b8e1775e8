package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.RequestPredicate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A real Jetty server on a loopback port that answers 200 when the predicate under test matches the request
 * and 404 when not; requests are written byte for byte on a plain socket, so tests control the method,
 * headers and query exactly as a client would send them.
 */
final class TinyServer implements AutoCloseable {

    private final Server server = new Server();
    private final ServerConnector connector;
    private final AtomicReference<RequestPredicate> predicate = new AtomicReference<>();

    TinyServer(String bindAddress) throws Exception {
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(64 * 1024);   // room for the hostile 10k inputs
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(bindAddress);
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                boolean matched = predicate.get().test(new Context(request));
                response.setStatus(matched ? 200 : 404);
                callback.succeeded();
                return true;
            }
        });
        server.start();
    }

    /** The request as the gateway would present it to matchers (host lower-cased, raw path). */
    private record Context(Request request) implements MatchContext {
        @Override
        public String host() {
            return Request.getServerName(request).toLowerCase(Locale.ROOT);
        }

        @Override
        public String path() {
            return request.getHttpURI().getPath();
        }
    }

    /** Sends {@code method target} with the extra header lines and returns whether the predicate matched. */
    boolean matches(RequestPredicate tested, String method, String target, String... headerLines) throws IOException {
        predicate.set(tested);
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: test\r\n");
        for (String line : headerLines) {
            head.append(line).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(connector.getHost(), connector.getLocalPort()), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            in.transferTo(response);
            String status = response.toString(StandardCharsets.ISO_8859_1).split("\r\n", 2)[0];
            if (status.startsWith("HTTP/1.1 200")) {
                return true;
            }
            if (status.startsWith("HTTP/1.1 404")) {
                return false;
            }
            throw new IOException("unexpected response: " + status);
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}

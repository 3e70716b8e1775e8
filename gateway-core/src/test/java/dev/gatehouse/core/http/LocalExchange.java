package dev.gatehouse.core.http;

import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;

/** One request answered in memory by a handler (Jetty's {@link LocalConnector}): for tests of what a handler sees. */
public final class LocalExchange {

    private LocalExchange() {
    }

    /** Starts a server with {@code handler}, sends {@code request} (raw HTTP/1.1), stops it, and gives the response. */
    public static HttpTester.Response answer(Handler handler, String request) throws Exception {
        Server server = new Server();
        LocalConnector connector = new LocalConnector(server);
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
        try {
            return HttpTester.parseResponse(connector.getResponse(request));
        } finally {
            server.stop();
        }
    }
}

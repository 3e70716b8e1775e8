package dev.gatehouse.core.server;

import dev.gatehouse.api.ForwardedHeaders;
import dev.gatehouse.core.http.EntryPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The listening socket of one entry point; requests find their entry point through it without a lookup. */
final class EntryPointConnector extends ServerConnector implements EntryPoint.Holder, ForwardedHeaders.Source {

    private final EntryPoint entryPoint;
    private final EntryPointTimeouts timeouts;

    EntryPointConnector(Server server, EntryPoint entryPoint, EntryPointTimeouts timeouts, ConnectionFactory... factories) {
        super(server, 1, -1, factories);
        this.entryPoint = entryPoint;
        this.timeouts = timeouts;
        setName(entryPoint.name());
        // Between requests only: GuardedHttpConnection keeps it out of the reading and handling of one.
        setIdleTimeout(timeouts.idleTimeout().toMillis());
    }

    /** The entry point's time and keep-alive limits. */
    EntryPointTimeouts timeouts() {
        return timeouts;
    }

    @Override
    public EntryPoint entryPoint() {
        return entryPoint;
    }

    @Override
    public boolean trustsForwardedHeaders(Request request) {
        return entryPoint.forwardedHeaders().trusts(request);
    }
}

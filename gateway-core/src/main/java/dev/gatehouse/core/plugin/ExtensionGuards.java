package dev.gatehouse.core.plugin;

import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.TcpMatcher;
import dev.gatehouse.api.TcpPredicate;
import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.api.NamedExtension;
import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.http.FailureLog;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps the extensions that run on the request path so that a plugin's bug costs one request, not the
 * connection or the gateway, and is logged with the plugin's id.
 *
 * <p>The guard sits where the plugin's code begins and ends: around the handler a middleware returns, with a
 * marker between that handler and the rest of the chain, so that an exception thrown by the gateway's own
 * handlers further down is never blamed on the plugin, and a request whose callback the rest of the chain
 * already owns is never answered twice. Matcher predicates are wrapped the same way: an exception there
 * fails that request (Jetty answers 500) and names the plugin.
 */
final class ExtensionGuards {

    private static final Logger LOG = LoggerFactory.getLogger("dev.gatehouse.plugins");

    private ExtensionGuards() {
    }

    /** The extension as the registry should hold it: guarded when it runs on requests. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static NamedExtension guard(ExtensionKind kind, NamedExtension extension, String pluginId) {
        return switch (kind) {
            case MIDDLEWARE -> new GuardedMiddleware<>((Middleware) extension, pluginId);
            case MATCHER -> new GuardedMatcher((Matcher) extension, pluginId);
            case TCP_MATCHER -> new GuardedTcpMatcher((TcpMatcher) extension, pluginId);
            default -> extension;
        };
    }

    /** A middleware type whose handlers are guarded. */
    static final class GuardedMiddleware<C> implements Middleware<C> {
        private final Middleware<C> delegate;
        private final String pluginId;

        GuardedMiddleware(Middleware<C> delegate, String pluginId) {
            this.delegate = delegate;
            this.pluginId = pluginId;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public Class<C> configType() {
            return delegate.configType();
        }

        @Override
        public Handler.Wrapper create(C config, MiddlewareContext context) throws Exception {
            return guard(delegate.create(config, context));
        }

        @Override
        public java.util.List<String> deprecations(C config) {
            return delegate.deprecations(config);
        }

        private Handler.Wrapper guard(Handler.Wrapper handler) {
            return handler == null ? null : new GuardHandler(handler, "middleware type " + delegate.name(), pluginId);
        }

        Middleware<C> delegate() {
            return delegate;
        }
    }

    /**
     * {@code guard -> plugin's handler -> marker -> next}. The chain builder sets {@code next} through
     * {@link #setHandler}, which this class forwards to the marker.
     */
    static final class GuardHandler extends Handler.Wrapper {
        /** Set on a request once the rest of the chain has taken it, or threw: from then on it is not the plugin's. */
        private static final String DOWNSTREAM = GuardHandler.class.getName() + ".downstream";

        private final Handler.Wrapper plugin;
        private final Marker marker;
        private final String what;
        /** This plugin handler's failures, logged once per window. */
        private final FailureLog.Window failures = new FailureLog.Window();
        private final String pluginId;

        GuardHandler(Handler.Wrapper plugin, String what, String pluginId) {
            this.plugin = plugin;
            this.marker = new Marker();
            this.what = what;
            this.pluginId = pluginId;
            plugin.setHandler(marker);
            super.setHandler(plugin);
        }

        @Override
        public void setHandler(Handler next) {
            if (marker == null) {   // called by a super constructor, before the fields are set
                super.setHandler(next);
                return;
            }
            marker.setHandler(next);
        }

        @Override
        public void setServer(Server server) {
            super.setServer(server);
            plugin.setServer(server);
            marker.setServer(server);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            try {
                return plugin.handle(request, response, callback);
            } catch (Throwable failure) {
                if (request.getAttribute(DOWNSTREAM) != null) {
                    throw failure;   // the gateway's own handlers own this request now
                }
                // A plugin that fails on every request must not flood the log: one line (with its stack) per window.
                String leftOut = failures.admit();
                if (leftOut != null) {
                    LOG.warn("Plugin {}: {} failed on {} {}, answered 500: {}{}", pluginId, what, request.getMethod(),
                            FailureLog.printable(Request.getPathInContext(request)), failure.toString(), leftOut,
                            failure);
                }
                ErrorResponses.internalError(request, response, callback);
                return true;
            }
        }

        /** Marks the request once the plugin's handler passed it on. */
        private static final class Marker extends Handler.Wrapper {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                request.setAttribute(DOWNSTREAM, Boolean.TRUE);
                return super.handle(request, response, callback);
            }
        }
    }

    /** A matcher whose predicates name the plugin when they throw. */
    static final class GuardedMatcher implements Matcher {
        private final Matcher delegate;
        private final String pluginId;

        GuardedMatcher(Matcher delegate, String pluginId) {
            this.delegate = delegate;
            this.pluginId = pluginId;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public RequestPredicate compile(List<String> arguments) {
            RequestPredicate predicate = delegate.compile(arguments);
            return predicate == null ? null : new GuardedPredicate(predicate, delegate.name(), pluginId, new FailureLog.Window());
        }
    }

    /**
     * A TCP matcher whose predicates, when they throw, do not match (the connection goes on to the next router) and
     * name the plugin in the log, at most once per window.
     */
    static final class GuardedTcpMatcher implements TcpMatcher {
        private final TcpMatcher delegate;
        private final String pluginId;

        GuardedTcpMatcher(TcpMatcher delegate, String pluginId) {
            this.delegate = delegate;
            this.pluginId = pluginId;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public TcpPredicate compile(List<String> arguments) {
            TcpPredicate predicate = delegate.compile(arguments);
            if (predicate == null) {
                return null;
            }
            FailureLog.Window failures = new FailureLog.Window();
            return connection -> {
                try {
                    return predicate.test(connection);
                } catch (RuntimeException | LinkageError failure) {
                    String leftOut = failures.admit();
                    if (leftOut != null) {
                        LOG.warn("Plugin {}: TCP matcher {} failed on a connection from {}, which it does not match: {}{}",
                                pluginId, delegate.name(), connection.clientAddress(), failure.toString(), leftOut);
                    }
                    return false;
                }
            };
        }
    }

    /** @param failures this predicate's failures, logged once per window */
    private record GuardedPredicate(RequestPredicate delegate, String matcher, String pluginId, FailureLog.Window failures)
            implements RequestPredicate {

        @Override
        public boolean test(MatchContext request) {
            try {
                return delegate.test(request);
            } catch (RuntimeException | LinkageError failure) {
                String leftOut = failures.admit();
                if (leftOut != null) {
                    LOG.warn("Plugin {}: matcher {} failed on {} {}, answered 500: {}{}", pluginId, matcher,
                            request.request().getMethod(), FailureLog.printable(request.path()), failure.toString(),
                            leftOut, failure);
                }
                throw failure;
            }
        }

        @Override
        public Set<String> possibleHosts() {
            return delegate.possibleHosts();
        }

        @Override
        public Set<String> possiblePathPrefixes() {
            return delegate.possiblePathPrefixes();
        }
    }
}

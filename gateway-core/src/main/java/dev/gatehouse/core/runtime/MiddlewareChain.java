package dev.gatehouse.core.runtime;

import static dev.gatehouse.core.dynamic.ElementNames.qualify;
import static dev.gatehouse.core.runtime.MiddlewareDefinitions.expand;

import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.core.runtime.MiddlewareDefinitions.PreparedMiddleware;
import dev.gatehouse.core.tracing.Tracing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Created middleware handlers, in the order requests go through them, with their type and name for spans: the
 * chain in front of one router (its entry points' middlewares, then its own) or of one service (its own).
 */
record MiddlewareChain(List<Handler.Wrapper> wrappers, List<String> types, List<String> names) {

    /**
     * Creates the middlewares that {@code references} stand for (chains expanded), each reference qualified with
     * {@code provider}; what fails goes to {@code problems}, and is left out of the chain.
     *
     * @param defined the names in the configuration, usable or not, to tell "disabled" from "missing"
     * @param services a service by qualified name, for middlewares that send to one ({@code errors}); null when none
     */
    static MiddlewareChain create(List<String> references, String provider,
            Map<String, PreparedMiddleware> middlewares, NameSuggestions defined, Function<String, Handler> services,
            Consumer<String> problems) {
        List<String> leaves = new ArrayList<>();
        for (String reference : references) {
            try {
                expand(qualify(reference, provider), new ArrayList<>(), middlewares, defined, leaves);
            } catch (IllegalArgumentException e) {
                problems.accept(e.getMessage());
            }
        }
        MiddlewareChain chain = new MiddlewareChain(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (String middlewareName : leaves) {
            PreparedMiddleware middleware = middlewares.get(middlewareName);
            try {
                Handler.Wrapper wrapper = middleware.type().create(middleware.options(),
                        new Context(middleware.provider(), middlewareName, services, defined));
                if (wrapper == null) {
                    problems.accept("middleware '" + middlewareName + "' produced no handler");
                } else {
                    chain.wrappers.add(wrapper);
                    chain.types.add(middleware.type().name());
                    chain.names.add(middlewareName);
                }
            } catch (Exception e) {
                problems.accept("middleware '" + middlewareName + "' cannot be created: " + e.getMessage());
            } catch (Error e) {
                problems.accept("middleware '" + middlewareName + "' "
                        + BuildFailures.unexpectedFailure("middleware " + middlewareName, e));
            }
        }
        return chain;
    }

    boolean isEmpty() {
        return wrappers.isEmpty();
    }

    /** Links the handlers in front of {@code end}, each with its span when traced; returns the first. */
    Handler around(Handler end, boolean traced, Server server, Tracing tracing) {
        Handler handler = end;
        for (int i = wrappers.size() - 1; i >= 0; i--) {
            Handler.Wrapper wrapper = wrappers.get(i);
            // The next handler first: Jetty refuses a handler that may block under a wrapper of its started server
            // once that server handles requests on selector threads; such a chain is run on a pool thread instead.
            wrapper.setHandler(handler);
            wrapper.setServer(server);
            handler = traced ? tracing.middleware(types.get(i), names.get(i), wrapper) : wrapper;
        }
        return handler;
    }

    /** Starts the handlers and adds them to {@code components}; returns the problem when one fails, else null. */
    String start(List<LifeCycle> components) {
        for (Handler.Wrapper wrapper : wrappers) {
            try {
                // Start only the wrapper itself: the service at the end of the chain is shared.
                if (wrapper.isStopped()) {
                    wrapper.start();
                }
                components.add(wrapper);
            } catch (Exception e) {
                return "a middleware handler failed to start: " + e;
            }
        }
        return null;
    }

    /** What a middleware being created may ask for: its own name, services of the same configuration. */
    private record Context(String provider, String middlewareName, Function<String, Handler> services,
            NameSuggestions defined)
            implements MiddlewareContext {
        @Override
        public Handler service(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a service name is required");
            }
            String qualified = qualify(name, provider);
            Handler service = services.apply(qualified);
            if (service == null && defined.services().contains(qualified)) {
                throw new IllegalArgumentException("service '" + qualified + "' is disabled (see its own error)");
            } else if (service == null) {
                throw new IllegalArgumentException("service '" + qualified + "' does not exist"
                        + NameSuggestions.didYouMean(defined.closestService(qualified)));
            }
            return service;
        }
    }
}

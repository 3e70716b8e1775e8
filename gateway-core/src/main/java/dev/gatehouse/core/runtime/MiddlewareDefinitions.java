package dev.gatehouse.core.runtime;

import static dev.gatehouse.core.dynamic.ElementNames.qualify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.core.config.dynamic.MiddlewareConfig;
import dev.gatehouse.core.config.ConfigBinder;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.Defined;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first stage of a build: binds each middleware's options to the type a plugin provides, reads each
 * {@code chain}, and leaves out (with their problems) middlewares whose options are wrong and chains that loop or
 * lead to a missing middleware. Nothing is created here: {@link MiddlewareChain} creates the handlers per user.
 */
final class MiddlewareDefinitions {

    private static final Logger LOG = LoggerFactory.getLogger(RuntimeBuilder.class);

    private final ExtensionRegistry extensions;
    private final ObjectMapper mapper;

    /** @param mapper the strict configuration mapper, for middleware options */
    MiddlewareDefinitions(ExtensionRegistry extensions, ObjectMapper mapper) {
        this.extensions = extensions;
        this.mapper = mapper;
    }

    /**
     * A middleware whose options are bound: an extension's, or a {@code chain} (resolved here, since it names
     * other middlewares), whose references are qualified with the chain's provider.
     */
    record PreparedMiddleware(Middleware<Object> type, Object options, String provider, List<String> chain) {
    }

    /** {@code http.middlewares.<name>.chain}: the middlewares to apply, in order. */
    public record ChainConfig(List<String> middlewares) {
    }

    static final String CHAIN = "chain";
    /** Traefik's middleware type for its own (Yaegi/WASM) plugins, named so that its error can say what to do. */
    static final String TRAEFIK_PLUGIN_MIDDLEWARE = "plugin";

    /**
     * Prepares every middleware of {@code configuration}; those with a problem (recorded in {@code problems}) are
     * left out, and so are the chains that lead to them.
     *
     * @return the middlewares that routers and services may use, by qualified name
     */
    Map<String, PreparedMiddleware> prepare(BoundConfiguration configuration, List<ConfigProblem> problems) {
        Map<String, PreparedMiddleware> prepared = new HashMap<>();
        configuration.middlewares().forEach((name, defined) -> {
            try {
                prepareMiddleware(name, defined, prepared, problems);
            } catch (Throwable failure) {
                problems.add(new ConfigProblem(ConfigElement.middleware(name), defined.origin(), ProblemKind.UNEXPECTED,
                        BuildFailures.unexpectedFailure("middleware " + name, failure)));
            }
        });
        return withoutBrokenChains(configuration, prepared, problems);
    }

    /** Binds one middleware's options (or reads its chain) into {@code prepared}, or records its problems. */
    @SuppressWarnings("unchecked")
    private void prepareMiddleware(String name, Defined<MiddlewareConfig> defined,
            Map<String, PreparedMiddleware> prepared, List<ConfigProblem> problems) {
        MiddlewareConfig declaration = defined.value();
        Middleware<Object> type = (Middleware<Object>) extensions.middleware(declaration.type());
        if (type == null && CHAIN.equals(declaration.type())) {
            List<String> bindingProblems = new ArrayList<>();
            ChainConfig chain = ConfigBinder.bindTree(mapper, declaration.options(), ChainConfig.class, CHAIN,
                    bindingProblems);
            if (bindingProblems.isEmpty() && (chain == null || chain.middlewares() == null
                    || chain.middlewares().isEmpty())) {
                bindingProblems.add("chain.middlewares is required and cannot be empty");
            }
            if (bindingProblems.isEmpty()) {
                List<String> references = new ArrayList<>();
                for (String reference : chain.middlewares()) {
                    if (reference == null || reference.isBlank()) {
                        bindingProblems.add("chain.middlewares cannot hold an empty name");
                    } else {
                        references.add(qualify(reference, defined.provider()));
                    }
                }
                if (bindingProblems.isEmpty()) {
                    prepared.put(name, new PreparedMiddleware(null, null, defined.provider(), List.copyOf(references)));
                }
            }
            bindingProblems.forEach(problem -> problems.add(new ConfigProblem(ConfigElement.middleware(name),
                    defined.origin(), ProblemKind.INVALID, problem)));
            return;
        }
        if (type == null && declaration.type().equalsIgnoreCase(TRAEFIK_PLUGIN_MIDDLEWARE)) {
            problems.add(new ConfigProblem(ConfigElement.middleware(name), defined.origin(), ProblemKind.UNSUPPORTED,
                    "middleware type 'plugin' runs a "
                    + "Traefik plugin (Yaegi Go source or WASM), which Gatehouse cannot run; use a Gatehouse plugin "
                    + "instead (a Java jar in the plugins folder that provides a middleware type, see docs/plugins.md)"));
            return;
        }
        if (type == null) {
            String closest = ConfigBinder.closestKey(declaration.type(), extensions.names(ExtensionKind.MIDDLEWARE));
            problems.add(new ConfigProblem(ConfigElement.middleware(name), defined.origin(), ProblemKind.INVALID,
                    "unknown middleware type '" + declaration.type() + "'"
                    + (closest == null ? "" : "; did you mean '" + closest + "'?")
                    + " (known: " + known(ExtensionKind.MIDDLEWARE)
                    + "; is the plugin that provides it in the plugins folder?)"));
            return;
        }
        List<String> bindingProblems = new ArrayList<>();
        Object options = ConfigBinder.bindTree(mapper, declaration.options(), type.configType(), declaration.type(),
                bindingProblems);
        if (bindingProblems.isEmpty()) {
            logDeprecations(name, defined, type, options);
            prepared.put(name, new PreparedMiddleware(type, options, defined.provider(), null));
        } else {
            bindingProblems.forEach(problem -> problems.add(new ConfigProblem(ConfigElement.middleware(name),
                    defined.origin(), ProblemKind.INVALID, problem)));
        }
    }

    /**
     * Deprecated names and options work but are logged, as Traefik v3 logs them (not configuration problems: {@code check}
     * accepts them). A middleware type that fails here is only left unlogged.
     */
    private static void logDeprecations(String name, Defined<MiddlewareConfig> defined, Middleware<Object> type,
            Object options) {
        List<String> deprecations;
        try {
            deprecations = type.deprecations(options);
        } catch (RuntimeException e) {
            LOG.debug("Middleware type {} failed to list its deprecations", type.name(), e);
            return;
        }
        for (String deprecation : deprecations) {
            LOG.warn("middleware {}{}: {}", name, defined.origin() == null ? "" : " (from " + defined.origin() + ")",
                    deprecation);
        }
    }

    private static Map<String, PreparedMiddleware> withoutBrokenChains(BoundConfiguration configuration,
            Map<String, PreparedMiddleware> prepared, List<ConfigProblem> problems) {
        // A chain whose references loop or lead to a missing or broken middleware is broken itself.
        Map<String, String> brokenChains = new TreeMap<>();
        NameSuggestions names = new NameSuggestions(configuration);
        new TreeMap<>(prepared).forEach((name, middleware) -> {
            if (middleware.chain() != null) {
                try {
                    expand(name, new ArrayList<>(), prepared, names, new ArrayList<>());
                } catch (IllegalArgumentException e) {
                    brokenChains.put(name, e.getMessage());
                }
            }
        });
        brokenChains.forEach((name, problem) -> {
            prepared.remove(name);
            problems.add(new ConfigProblem(ConfigElement.middleware(name), configuration.middlewares().get(name).origin(),
                    ProblemKind.MIDDLEWARE, problem));
        });
        return prepared;
    }

    /**
     * Adds to {@code out} the middlewares that {@code name} stands for: itself, or for a chain, what each of its
     * references stands for, in order.
     *
     * @param stack the chains being expanded, outermost first
     * @param defined the configuration's names, to tell "disabled" from "missing" and suggest one
     * @throws IllegalArgumentException naming the loop, or the missing middleware
     */
    static void expand(String name, List<String> stack, Map<String, PreparedMiddleware> prepared, NameSuggestions defined,
            List<String> out) {
        if (stack.contains(name)) {
            List<String> loop = new ArrayList<>(stack.subList(stack.indexOf(name), stack.size()));
            loop.add(name);
            throw new IllegalArgumentException("chain.middlewares: recursion detected: " + String.join(" -> ", loop));
        }
        PreparedMiddleware middleware = prepared.get(name);
        if (middleware == null) {
            String where = stack.isEmpty() ? "" : "chain.middlewares: ";
            if (defined.middlewares().contains(name)) {
                throw new IllegalArgumentException(where + "middleware '" + name + "' is disabled (see its own error)");
            }
            throw new IllegalArgumentException(where + "middleware '" + name + "' does not exist"
                    + NameSuggestions.didYouMean(defined.closestMiddleware(name)));
        }
        if (middleware.chain() == null) {
            out.add(name);
            return;
        }
        stack.add(name);
        for (String reference : middleware.chain()) {
            expand(reference, stack, prepared, defined, out);
        }
        stack.remove(stack.size() - 1);
    }

    private String known(ExtensionKind kind) {
        return extensions.names(kind).isEmpty() ? "none" : String.join(", ", extensions.names(kind));
    }
}

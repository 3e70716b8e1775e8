package dev.gatehouse.core.runtime;

import dev.gatehouse.core.config.ConfigBinder;
import dev.gatehouse.core.dynamic.BoundConfiguration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The middlewares and services one configuration defines (qualified), built or not, so that a reference to one can
 * say "disabled (see its own error)" or "does not exist; did you mean ...". One per build.
 *
 * <p>Each missing name is compared with every defined one (an edit distance each), so thousands of routers naming
 * missing elements among thousands would cost routers x elements distances: many seconds for 10,000 of each (one
 * provider's routers written without the other provider's {@code @suffix}). A build therefore makes at most
 * {@link #MAX_COMPARISONS} comparisons, each missing name once; past the bound the error only says that the element
 * does not exist.
 */
final class NameSuggestions {

    static final long MAX_COMPARISONS = 2_000_000;

    private final Set<String> middlewares;
    private final Set<String> services;
    /** The suggestion found for each missing name, by kind and name (empty: none close enough). */
    private final Map<String, Optional<String>> found = new HashMap<>();
    private long comparisonsLeft = MAX_COMPARISONS;

    NameSuggestions(BoundConfiguration configuration) {
        this.middlewares = configuration.middlewares().keySet();
        this.services = configuration.services().keySet();
    }

    Set<String> middlewares() {
        return middlewares;
    }

    Set<String> services() {
        return services;
    }

    /** The defined service closest to {@code missing}, or null. */
    String closestService(String missing) {
        return closest("service " + missing, missing, services);
    }

    /** The defined middleware closest to {@code missing}, or null. */
    String closestMiddleware(String missing) {
        return closest("middleware " + missing, missing, middlewares);
    }

    /** " ; did you mean 'x'?" for a suggestion, or nothing. */
    static String didYouMean(String closest) {
        return closest == null ? "" : "; did you mean '" + closest + "'?";
    }

    private String closest(String key, String missing, Set<String> defined) {
        Optional<String> known = found.get(key);
        if (known != null) {
            return known.orElse(null);
        }
        if (comparisonsLeft < defined.size()) {
            return null;
        }
        comparisonsLeft -= defined.size();
        String closest = ConfigBinder.closestKey(missing, defined);
        found.put(key, Optional.ofNullable(closest));
        return closest;
    }
}

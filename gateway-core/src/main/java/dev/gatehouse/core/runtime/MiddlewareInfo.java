package dev.gatehouse.core.runtime;

import dev.gatehouse.core.config.dynamic.MiddlewareConfig;
import dev.gatehouse.core.dynamic.ConfigProblem;
import java.util.List;

/**
 * A middleware of one runtime, as the API reports it.
 *
 * @param name its qualified name ({@code auth@file})
 * @param config its configuration; null when it could not be read
 * @param errors what is wrong with it: a middleware with errors is disabled
 * @param usedBy the routers (sorted) that use it: directly, through a chain, or through their entry points
 */
public record MiddlewareInfo(String name, MiddlewareConfig config, ElementOrigin origin, List<ConfigProblem> errors,
        List<String> usedBy) {

    public MiddlewareInfo {
        errors = List.copyOf(errors);
        usedBy = List.copyOf(usedBy);
    }

    public Status status() {
        return errors.isEmpty() ? Status.ENABLED : Status.DISABLED;
    }
}

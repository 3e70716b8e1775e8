package dev.gatehouse.core.runtime;

import dev.gatehouse.core.config.dynamic.RouterConfig;
import dev.gatehouse.core.dynamic.ConfigProblem;
import java.util.List;

/**
 * A router of one runtime, as the API, {@code check} and the log report it.
 *
 * @param name its qualified name ({@code app@file})
 * @param config its configuration; null when it could not be read (a mistyped key, a conflicting definition)
 * @param status {@link Status#DISABLED} when it does not serve, {@link Status#WARNING} when it serves with errors
 * @param errors what is wrong with it, the reason it is disabled or the warnings it serves with
 */
public record RouterInfo(String name, RouterConfig config, ElementOrigin origin, Status status,
        List<ConfigProblem> errors) {

    public RouterInfo {
        errors = List.copyOf(errors);
    }

    /** Whether the gateway itself made it ({@code @internal}): such routers are not counted as the user's. */
    public boolean internal() {
        return "internal".equals(origin.provider());
    }
}

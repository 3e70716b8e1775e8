package dev.gatehouse.core.runtime;

import java.util.Locale;

/** The status of a router, service or middleware, as Traefik's API reports it. */
public enum Status {
    /** It serves as configured. */
    ENABLED,
    /**
     * It serves, but something about it is wrong (see its errors): a router on an entry point that does not exist
     * among others, a service with a server down.
     */
    WARNING,
    /** It does not serve: see its errors. */
    DISABLED;

    /** As the API writes it: {@code enabled}, {@code warning}, {@code disabled}. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package dev.gatehouse.core.dynamic;

/** What part of an element a {@link ConfigProblem} is in: what a user looks at to fix it. */
public enum ProblemKind {
    /** Its own settings are wrong: an unknown or mistyped key, a missing one, an invalid rule or value. */
    INVALID,
    /** The service it sends to does not exist or is disabled. */
    MISSING_SERVICE,
    /** A middleware it uses does not exist, is disabled, loops through chains, or cannot be created. */
    MIDDLEWARE,
    /** An entry point it names does not exist. */
    ENTRY_POINT,
    /** Its TLS settings: unknown TLS options, a domain without {@code main}, a certificate resolver it cannot use. */
    TLS,
    /** It is defined more than once with different settings. */
    CONFLICT,
    /** Gatehouse does not support it (TCP routing, Traefik's own plugins). */
    UNSUPPORTED,
    /** It could not be built for a reason outside its configuration: a plugin's failure, an internal error. */
    UNEXPECTED
}

package dev.gatehouse.core.server;

/**
 * Whether requests are handled on the thread that read them, the entry point's selector, as nginx handles every
 * request on the event loop that read it (issue 18). Jetty otherwise hands each request to a pool thread, and each
 * request that completes from another thread (every proxied one: its end comes on the upstream client's thread) to
 * yet another pool thread to read the connection's next request: two thread hand-offs per request, which cost a
 * third of the gateway's CPU per proxied request (docs/performance.md).
 *
 * <p>What may block is still run on pool threads: a route whose chain says it blocks (a handler or middleware whose
 * {@code getInvocationType()} is {@code BLOCKING}, such as {@code basicAuth} with bcrypt hashes) is handed to one by
 * the routing table. {@code -Dgatehouse.selectorHandling=false} turns this off: every request on a pool thread, as
 * Jetty does by default.
 */
final class SelectorHandling {

    /** The system property that turns it off ({@code false}), read once. */
    static final String PROPERTY = "gatehouse.selectorHandling";
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty(PROPERTY, "true"));

    private SelectorHandling() {
    }
}

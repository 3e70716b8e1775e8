/**
 * The dynamic configuration model the gateway binds providers' snapshots to: immutable records in Traefik's layout
 * and with its key names. Absent lists and maps are empty, never {@code null}; absent scalars are {@code null} and
 * their defaults are applied by the accessors named {@code ...OrDefault}.
 *
 * <p>Internal, not API: it grows with every Traefik option the gateway learns, which a record in the API could not
 * do without breaking compiled plugins (see docs/plugins.md, "What is API").
 */
package dev.gatehouse.core.config.dynamic;

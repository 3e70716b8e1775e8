/**
 * The dynamic configuration model: immutable records in Traefik's layout and with its key names.
 * Absent lists and maps are empty, never {@code null}; absent scalars are {@code null} and their
 * defaults are applied by the accessors named {@code ...OrDefault}.
 */
package dev.gatehouse.api.config;

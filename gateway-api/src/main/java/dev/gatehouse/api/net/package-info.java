/**
 * Network values that extensions read from configuration and compare on the request path, parsed the way
 * Traefik parses them, so that every plugin agrees with the core on what {@code 10.0.0.0/8} means.
 */
package dev.gatehouse.api.net;

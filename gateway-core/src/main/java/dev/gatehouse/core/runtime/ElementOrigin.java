package dev.gatehouse.core.runtime;

/**
 * Where a router, service or middleware was defined.
 *
 * @param provider the provider that published it ({@code file}, {@code docker}, {@code internal})
 * @param location the file (with the line, where the provider knows it) or container it came from; null when not
 *     known
 */
public record ElementOrigin(String provider, String location) {
}

package dev.gatehouse.core.dynamic;

/**
 * A configuration element with where it was defined.
 *
 * @param value the bound element
 * @param origin the fragment it came from (a file path, a container name)
 * @param provider the provider that published it
 */
public record Defined<T>(T value, String origin, String provider) {
}

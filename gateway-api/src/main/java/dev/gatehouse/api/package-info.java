/**
 * The Gatehouse plugin API.
 *
 * <p>Four extension points, each a PF4J {@link org.pf4j.ExtensionPoint} with an explicit name:
 * <ul>
 *   <li>{@link dev.gatehouse.api.Provider}: a source of dynamic configuration ({@code file}, {@code docker});</li>
 *   <li>{@link dev.gatehouse.api.Matcher}: a rule function ({@code Host}, {@code PathPrefix});</li>
 *   <li>{@link dev.gatehouse.api.Middleware}: a middleware type ({@code stripPrefix});</li>
 *   <li>{@link dev.gatehouse.api.CertResolver}: a certificate resolver type ({@code acme}).</li>
 * </ul>
 * A plugin is a jar with a PF4J manifest ({@code Plugin-Id}, {@code Plugin-Version}) whose classes
 * implement these interfaces and carry {@code @org.pf4j.Extension}; drop it into the gateway's
 * {@code plugins/} folder. Plugins compile against this module with {@code provided} scope.
 *
 * <p>{@link dev.gatehouse.api.config} holds what providers need to read configuration (size limits, the lines of
 * keys in YAML and TOML files); the configuration model itself is the gateway's, not API.
 */
package dev.gatehouse.api;

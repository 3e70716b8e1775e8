package dev.gatehouse.api;

import org.pf4j.ExtensionPoint;

/**
 * What every Gatehouse extension point shares: an explicit name, the word a user writes in configuration.
 *
 * <p>The name is declared in code, never derived from a class name, so renaming or moving a class
 * never breaks a user's configuration. Two extensions of the same kind with the same name are a
 * conflict that the gateway reports at start, naming both plugins.
 *
 * <pre>{@code
 * @Extension
 * public final class WeekdayMatcher implements Matcher {
 *     public String name() { return "Weekday"; }   // used in rules as Weekday(`mon`, `fri`)
 *     ...
 * }
 * }</pre>
 */
public interface NamedExtension extends ExtensionPoint {

    /**
     * The name users write in configuration: a provider key ({@code file}), a rule function
     * ({@code Host}), a middleware type ({@code stripPrefix}) or a resolver type ({@code acme}).
     */
    String name();
}

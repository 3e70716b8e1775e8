package dev.gatehouse.api;

/**
 * An extension that takes typed options from configuration.
 *
 * <p>The gateway binds the user's options (from a YAML or TOML file, flags, environment variables or
 * Docker labels) to {@link #configType()} once, when the configuration is loaded, and rejects unknown
 * keys by name. Make the type a {@code record}: its component names are the option names, matched
 * without regard to case, as Traefik's are.
 *
 * <pre>{@code
 * public record StripPrefixConfig(List<String> prefixes, Boolean forceSlash) {}
 * }</pre>
 *
 * @param <C> the options type
 */
public interface ConfigurableExtension<C> extends NamedExtension {

    /** The type the options are bound to: usually a record. */
    Class<C> configType();
}

package dev.gatehouse.core.config;

import java.util.Locale;

/**
 * {@code core}: Traefik's {@code core.defaultRuleSyntax}, the rule syntax of routers that do not set
 * {@code ruleSyntax} themselves ({@code v3}, the default, or {@code v2}). Deprecated since Traefik v3.4, as
 * {@code ruleSyntax} is: it eases a move from v2 files.
 *
 * @param defaultRuleSyntax {@code v3} or {@code v2}, any case; null means {@code v3}. Stored lower case.
 */
public record CoreConfig(String defaultRuleSyntax) {

    /** What the gateway logs once at start when the key is set, as Traefik logs it. */
    public static final String DEPRECATION = "core.defaultRuleSyntax is deprecated (since Traefik v3.4): write the"
            + " router rules in the v3 syntax and remove the option";

    public CoreConfig {
        if (defaultRuleSyntax != null && !defaultRuleSyntax.isBlank()) {
            defaultRuleSyntax = defaultRuleSyntax.strip().toLowerCase(Locale.ROOT);
            if (!defaultRuleSyntax.equals("v3") && !defaultRuleSyntax.equals("v2")) {
                throw new InvalidValueException("defaultRuleSyntax",
                        "{key}: unsupported default rule syntax '" + defaultRuleSyntax + "' (expected v3 or v2)");
            }
        } else {
            defaultRuleSyntax = null;
        }
    }

    public String defaultRuleSyntaxOrDefault() {
        return defaultRuleSyntax == null ? "v3" : defaultRuleSyntax;
    }
}

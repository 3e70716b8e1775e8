package dev.gatehouse.plugins.acme.dns;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The DNS providers Gatehouse has, by lego's names. Every other name lego knows (cloudflare, route53, ovh, ...)
 * is refused with the list of these.
 */
public final class DnsProviders {

    private static final Map<String, Function<LegoEnvironment, DnsProvider>> BY_NAME = new TreeMap<>(Map.of(
            Rfc2136Provider.NAME, Rfc2136Provider::new,
            ExecProvider.NAME, ExecProvider::new,
            HttpReqProvider.NAME, HttpReqProvider::new));

    /** Where the providers and their variables are documented (named in errors). */
    public static final String DOCS = "docs/configuration/tls.md#dns-01-dnschallenge";

    private DnsProviders() {
    }

    public static Set<String> names() {
        return BY_NAME.keySet();
    }

    /** Null when {@code name} is supported; else the error to show. */
    public static String problem(String name) {
        if (name == null || name.isBlank()) {
            return "dnsChallenge needs a provider (supported: " + String.join(", ", names()) + "; see " + DOCS + ")";
        }
        if (BY_NAME.containsKey(name.strip())) {
            return null;
        }
        return "provider '" + name.strip() + "' is unsupported: Gatehouse supports " + String.join(", ", names())
                + " (lego's other DNS providers are not available; see " + DOCS + ")";
    }

    /** The provider {@code name}, configured from {@code env}; an error naming the missing or wrong variable. */
    public static DnsProvider create(String name, LegoEnvironment env) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return BY_NAME.get(name.strip()).apply(env);
    }
}

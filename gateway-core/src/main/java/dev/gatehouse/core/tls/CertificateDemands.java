package dev.gatehouse.core.tls;

import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.ProblemKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What routers with a {@code certResolver} need, handed over once per configuration.
 */
@FunctionalInterface
public interface CertificateDemands {

    /**
     * Who needs the certificate of {@code tls.stores.default.defaultGeneratedCert}, among the router names that a
     * domain set maps to.
     */
    String GENERATED_DEFAULT = "\u0000defaultGeneratedCert";

    /**
     * @param byResolver resolver name to the domain sets its routers need (main domain first)
     * @param problems where an unknown resolver is reported
     */
    void demand(Map<String, Map<Set<String>, String>> byResolver, List<ConfigProblem> problems);

    /**
     * The problems of the routers a resolver cannot serve (it is not configured, or it failed to start): one per
     * router, so that each is in warning (it serves, with the default certificate), and one for
     * {@code tls.stores.default.defaultGeneratedCert} when it asked that resolver too.
     *
     * @param needers the router names the resolver's domain sets map to (some more than once)
     * @param reason what is wrong with the resolver: {@code certificate resolver 'le' is not configured (known: none)}
     */
    static List<ConfigProblem> unavailable(Collection<String> needers, String reason) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (String needer : new TreeSet<>(needers)) {
            problems.add(needer.equals(GENERATED_DEFAULT)
                    ? new ConfigProblem("tls.stores.default.defaultGeneratedCert", null,
                            reason + "; the generated default certificate is served")
                    : new ConfigProblem(ConfigElement.router(needer), null, ProblemKind.TLS,
                            reason + "; the router is served with the default certificate"));
        }
        return problems;
    }
}

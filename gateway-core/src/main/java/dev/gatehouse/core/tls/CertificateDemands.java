package dev.gatehouse.core.tls;

import dev.gatehouse.core.dynamic.ConfigProblem;
import java.util.ArrayList;
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
     * The element a problem with a resolver's demands is reported on: {@code routers [a@file, b@file]}, and
     * {@code tls.stores.default.defaultGeneratedCert} for the default certificate.
     */
    static String element(java.util.Collection<String> needers) {
        List<String> routers = new ArrayList<>(new TreeSet<>(needers));
        boolean defaultCertificate = routers.remove(GENERATED_DEFAULT);
        String defaultKey = "tls.stores.default.defaultGeneratedCert";
        return routers.isEmpty() ? defaultKey
                : "routers " + routers + (defaultCertificate ? " and " + defaultKey : "");
    }
}

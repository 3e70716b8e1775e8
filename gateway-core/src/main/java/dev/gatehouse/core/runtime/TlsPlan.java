package dev.gatehouse.core.runtime;

import dev.gatehouse.core.dynamic.ElementNames;

import dev.gatehouse.core.config.dynamic.DomainConfig;
import dev.gatehouse.core.config.dynamic.GeneratedCertConfig;
import dev.gatehouse.core.config.dynamic.RouterTlsConfig;
import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.Defined;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.core.dynamic.TlsDefinitions;
import dev.gatehouse.core.tls.CertificateDemands;
import dev.gatehouse.core.tls.TlsManager;
import dev.gatehouse.core.tls.TlsRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Collects what TLS routers need: options per host (from their domains, else their Host rules) and the
 * domains each certificate resolver must obtain.
 */
final class TlsPlan {
    private final TlsDefinitions definitions;
    private final Map<String, Set<String>> optionsByHost = new TreeMap<>();
    private final Map<String, List<String>> routersByHost = new HashMap<>();
    final Map<String, Map<Set<String>, String>> byResolver = new TreeMap<>();
    final List<ConfigProblem> notes = new ArrayList<>();

    TlsPlan(TlsDefinitions definitions) {
        this.definitions = definitions;
    }

    static String optionsName(RouterTlsConfig tls, String provider) {
        String name = tls.options() == null || tls.options().isBlank() ? TlsManager.DEFAULT_OPTIONS : tls.options().strip();
        return name.equals(TlsManager.DEFAULT_OPTIONS) ? name : ElementNames.qualify(name, provider);
    }

    void check(RouterTlsConfig tls, String provider, RouterProblems problems) {
        String options = optionsName(tls, provider);
        if (!options.equals(TlsManager.DEFAULT_OPTIONS) && !definitions.options().containsKey(options)) {
            problems.add(ProblemKind.TLS, "TLS options '" + options + "' do not exist (known: "
                    + (definitions.options().isEmpty() ? "none" : String.join(", ", new TreeSet<>(definitions.options().keySet())))
                    + ")");
        }
        for (DomainConfig domain : tls.domains()) {
            if (domain.main() == null || domain.main().isBlank()) {
                problems.add(ProblemKind.TLS, "tls.domains: every entry needs 'main'");
            }
        }
    }

    void add(String router, RouterTlsConfig tls, String provider, Set<String> hosts) {
        String options = optionsName(tls, provider);
        List<Set<String>> certificateDomains = new ArrayList<>();
        if (!tls.domains().isEmpty()) {
            for (DomainConfig domain : tls.domains()) {
                Set<String> names = new LinkedHashSet<>();
                names.add(domain.main().strip().toLowerCase(Locale.ROOT));
                domain.sans().forEach(san -> names.add(san.strip().toLowerCase(Locale.ROOT)));
                certificateDomains.add(names);
            }
        } else if (hosts != null) {
            for (String host : new TreeSet<>(hosts)) {
                certificateDomains.add(new LinkedHashSet<>(List.of(host)));
            }
        }
        for (Set<String> names : certificateDomains) {
            for (String host : names) {
                optionsByHost.computeIfAbsent(host, h -> new TreeSet<>()).add(options);
                routersByHost.computeIfAbsent(host, h -> new ArrayList<>()).add(router);
            }
            if (tls.certResolver() != null && !tls.certResolver().isBlank()) {
                byResolver.computeIfAbsent(tls.certResolver().strip(), r -> new LinkedHashMap<>())
                        .putIfAbsent(java.util.Collections.unmodifiableSet(names), router);
            }
        }
        if (tls.certResolver() != null && !tls.certResolver().isBlank() && certificateDomains.isEmpty()) {
            notes.add(new ConfigProblem(ConfigElement.router(router), null, ProblemKind.TLS,
                    "certResolver '" + tls.certResolver()
                    + "' has no domain to obtain a certificate for: give tls.domains or a Host rule"));
        }
    }

    /**
     * Asks the resolver of {@code tls.stores.default.defaultGeneratedCert} for its domains, as Traefik's ACME
     * provider does; the domains (main first, lower case, without a trailing dot), or null when there is none.
     */
    Set<String> addGeneratedDefault(List<ConfigProblem> problems) {
        Defined<GeneratedCertConfig> defined = definitions.defaultGeneratedCert();
        if (defined == null) {
            return null;
        }
        GeneratedCertConfig generated = defined.value();
        DomainConfig domain = generated.domain();
        if (generated.resolver() == null || generated.resolver().isBlank() || domain == null
                || domain.main() == null || domain.main().isBlank()) {
            problems.add(new ConfigProblem("tls.stores.default.defaultGeneratedCert", defined.origin(),
                    "needs resolver and domain.main; the generated default certificate is served"));
            return null;
        }
        Set<String> names = new LinkedHashSet<>();
        names.add(canonicalDomain(domain.main()));
        domain.sans().forEach(san -> names.add(canonicalDomain(san)));
        Set<String> domains = java.util.Collections.unmodifiableSet(names);
        byResolver.computeIfAbsent(generated.resolver().strip(), r -> new LinkedHashMap<>())
                .putIfAbsent(domains, CertificateDemands.GENERATED_DEFAULT);
        return domains;
    }

    private static String canonicalDomain(String domain) {
        String name = domain.strip().toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /** A host claimed by routers with different options gets the default ones, as in Traefik. */
    Map<String, String> optionsByHost(List<ConfigProblem> problems) {
        Map<String, String> chosen = new HashMap<>();
        optionsByHost.forEach((host, names) -> {
            if (names.size() == 1) {
                chosen.put(host, names.iterator().next());
            } else {
                problems.add(new ConfigProblem("host " + host, null, "routers " + routersByHost.get(host)
                        + " ask for different TLS options " + names + "; the default options are used for it"));
                chosen.put(host, TlsManager.DEFAULT_OPTIONS);
            }
        });
        return chosen;
    }

    /**
     * The TLS stage of a build, once every router is planned: reports what the plan found, loads the certificates
     * and options into {@code tls}, and hands the certificate resolvers what the routers need.
     *
     * @param tls the certificates and TLS options; null when the gateway serves no TLS (then only the plan's own
     *     problems are reported)
     * @param demands receives what routers with a {@code certResolver} need; null when no resolver is configured
     * @return the TLS options by server name, or null without {@code tls}
     */
    TlsRuntime build(TlsManager tls, CertificateDemands demands, List<ConfigProblem> problems) {
        TlsRuntime tlsRuntime = null;
        problems.addAll(notes);
        Set<String> generatedDefaultDomains = addGeneratedDefault(problems);
        if (tls != null) {
            tlsRuntime = tls.build(new TlsManager.Input(definitions.certificates(), definitions.options(),
                    definitions.defaultCertificate(), optionsByHost(problems), generatedDefaultDomains),
                    problems);
            if (demands != null) {
                demands.demand(byResolver, problems);
            } else {
                byResolver.forEach((resolver, domains) -> problems.addAll(CertificateDemands.unavailable(
                        domains.values(), "certificate resolver '" + resolver + "' is not configured "
                        + "(certificatesResolvers in the static configuration)")));
            }
        }
        return tlsRuntime;
    }
}

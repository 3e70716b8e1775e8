package dev.gatehouse.core.tls;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.api.CertResolver;
import dev.gatehouse.api.CertResolverContext;
import dev.gatehouse.api.ChallengeResponder;
import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.LoadedConfiguration;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured {@code certificatesResolvers}: starts each with the plugin that provides its type, hands each
 * the domain sets its routers need on every configuration, delivers what they issue to the {@link TlsManager},
 * and knows which of them answer HTTP-01 challenges on which entry point.
 */
public final class CertificateResolvers implements CertificateDemands, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateResolvers.class);

    private final Map<String, CertResolver.Running> running = new LinkedHashMap<>();
    private final Map<String, String> failedToStart = new LinkedHashMap<>();

    /**
     * Starts every configured resolver; one that cannot start is logged and left out (its routers are served
     * with the default certificate and reported).
     */
    public CertificateResolvers(LoadedConfiguration loaded, ExtensionRegistry extensions, TlsManager tls) {
        loaded.configuration().certificatesResolvers().forEach((name, declaration) -> {
            try {
                running.put(name, start(loaded, extensions, tls, name, declaration));
                LOG.info("Certificate resolver {} started", name);
            } catch (ConfigurationException e) {
                failedToStart.put(name, String.join("; ", e.problems()));
                LOG.error("Certificate resolver {} left out: {}", name, String.join("; ", e.problems()));
            } catch (Exception | LinkageError e) {
                failedToStart.put(name, String.valueOf(e.getMessage()));
                // The plugin's message names the key or variable at fault; the exception's class only at DEBUG.
                LOG.error("Certificate resolver {} failed to start and is left out: {}", name,
                        e.getMessage() == null ? FailureReasons.of(e) : e.getMessage());
                LOG.debug("Certificate resolver {} failed to start", name, e);
            }
        });
    }

    /** The errors of the resolvers' declarations and options, without starting them (for gatehouse check). */
    public static List<String> check(LoadedConfiguration loaded, ExtensionRegistry extensions) {
        List<String> errors = new ArrayList<>();
        loaded.configuration().certificatesResolvers().forEach((name, declaration) -> {
            try {
                resolve(loaded, extensions, name, declaration);
            } catch (ConfigurationException e) {
                errors.addAll(e.problems());
            }
        });
        return errors;
    }

    private record Resolved(CertResolver<Object> resolver, Object options) {
    }

    @SuppressWarnings("unchecked")
    private static Resolved resolve(LoadedConfiguration loaded, ExtensionRegistry extensions, String name,
            JsonNode declaration) throws ConfigurationException {
        String path = "certificatesResolvers." + name;
        if (declaration == null || !declaration.isObject() || declaration.size() != 1) {
            throw new ConfigurationException(List.of(path + ": declare exactly one resolver type, such as acme: {...}"));
        }
        Map.Entry<String, JsonNode> only = declaration.fields().next();
        String type = only.getKey();
        CertResolver<Object> resolver = (CertResolver<Object>) extensions.certResolver(type);
        if (resolver == null) {
            throw new ConfigurationException(List.of(path + ": no plugin provides the certificate resolver type '" + type
                    + "' (known: " + (extensions.names(ExtensionKind.CERT_RESOLVER).isEmpty() ? "none"
                    : String.join(", ", extensions.names(ExtensionKind.CERT_RESOLVER))) + ")"));
        }
        return new Resolved(resolver, loaded.bindSection(path + "." + type, only.getValue(), resolver.configType()));
    }

    private static CertResolver.Running start(LoadedConfiguration loaded, ExtensionRegistry extensions, TlsManager tls,
            String name, JsonNode declaration) throws Exception {
        Resolved resolved = resolve(loaded, extensions, name, declaration);
        return resolved.resolver().start(resolved.options(), new Sink(name, tls));
    }

    /** Routers' needs, once per configuration: each running resolver is asked for each domain set. */
    @Override
    public void demand(Map<String, Map<Set<String>, String>> byResolver, List<ConfigProblem> problems) {
        byResolver.forEach((resolver, domains) -> {
            CertResolver.Running instance = running.get(resolver);
            if (instance == null) {
                String reason = failedToStart.containsKey(resolver)
                        ? "certificate resolver '" + resolver + "' failed to start: " + failedToStart.get(resolver)
                        : "certificate resolver '" + resolver + "' is not configured (known: "
                        + (running.isEmpty() ? "none" : String.join(", ", running.keySet())) + ")";
                problems.addAll(CertificateDemands.unavailable(domains.values(), reason));
                return;
            }
            domains.keySet().forEach(set -> {
                try {
                    instance.request(set);
                } catch (RuntimeException e) {
                    LOG.error("Certificate resolver {} refused the request for {}: {}", resolver, set, FailureReasons.of(e));
                }
            });
        });
    }

    /** The resolvers that answer HTTP-01 challenges on {@code entryPoint}. */
    public List<ChallengeResponder> httpChallengeResponders(String entryPoint) {
        List<ChallengeResponder> responders = new ArrayList<>();
        for (CertResolver.Running instance : running.values()) {
            if (instance instanceof ChallengeResponder responder && entryPoint.equals(responder.httpChallengeEntryPoint())) {
                responders.add(responder);
            }
        }
        return responders;
    }

    public boolean isEmpty() {
        return running.isEmpty() && failedToStart.isEmpty();
    }

    @Override
    public void close() {
        running.forEach((name, instance) -> {
            try {
                instance.close();
            } catch (Exception e) {
                LOG.warn("Stopping certificate resolver {}: {}", name, FailureReasons.of(e));
            }
        });
        running.clear();
    }

    /** Delivers one resolver's certificates to the TLS store, and logs its failures with their domains. */
    private record Sink(String resolverName, TlsManager tls) implements CertResolverContext {
        @Override
        public void issued(Set<String> domains, PrivateKey key, List<X509Certificate> chain) {
            tls.issued(resolverName, domains, new CertifiedKey(key, chain));
            LOG.info("Certificate resolver {}: certificate for {} is served (valid until {})", resolverName, domains,
                    chain.get(0).getNotAfter().toInstant());
        }

        @Override
        public void failed(Set<String> domains, Throwable cause) {
            LOG.error("Certificate resolver {}: cannot obtain a certificate for {}: {}", resolverName, domains,
                    cause.getMessage() == null ? cause.toString() : cause.getMessage());
        }

        @Override
        public void tlsAlpnChallenge(String domain, byte[] acmeValidation) {
            try {
                tls.putChallengeCertificate(domain, SelfSignedCertificate.acmeTlsAlpn01(domain, acmeValidation));
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException("cannot make the TLS-ALPN-01 certificate for " + domain, e);
            }
        }

        @Override
        public void tlsAlpnChallengeDone(String domain) {
            tls.removeChallengeCertificate(domain);
        }
    }
}

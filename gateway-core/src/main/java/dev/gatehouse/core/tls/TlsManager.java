package dev.gatehouse.core.tls;

import dev.gatehouse.core.config.dynamic.CertificateConfig;
import dev.gatehouse.core.config.dynamic.TlsOptionsConfig;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.Defined;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the certificates and the TLS option sets for the life of the gateway. On every configuration it loads
 * {@code tls.certificates} and the default certificate into a new {@link CertificateStore} and swaps it in;
 * certificates from resolvers join the store as they arrive, without a reload. Option sets are built once per
 * distinct configuration and reused; handshakes under way keep what they started with.
 */
public final class TlsManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TlsManager.class);
    public static final String DEFAULT_OPTIONS = "default";

    private final Path baseDir;
    private final TlsEngine engine;
    private final AtomicReference<CertificateStore> store = new AtomicReference<>(CertificateStore.of(List.of(), null));
    private final AtomicReference<CertificateStore> challenges = new AtomicReference<>(CertificateStore.of(List.of(), null));
    /** Every alias of the current and recent stores: handshakes look up the alias they chose a moment ago. */
    private final Map<String, CertificateStore.Entry> aliases = new ConcurrentHashMap<>();
    private final Map<String, TlsPolicy> policies = new HashMap<>();
    private final Map<String, CertificateStore.Entry> loaded = new HashMap<>();
    private final Map<Set<String>, CertificateStore.Entry> resolved = new ConcurrentHashMap<>();
    /** Which resolver delivered each of {@link #resolved}, for the API. */
    private final Map<Set<String>, String> resolvedBy = new ConcurrentHashMap<>();
    private final Map<String, CertificateStore.Entry> challengeCertificates = new ConcurrentHashMap<>();
    private final ScheduledExecutorService retirer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gatehouse-tls-retire");
        t.setDaemon(true);
        return t;
    });
    private CertificateStore.Entry generatedDefault;
    private List<CertificateStore.Entry> configured = List.of();
    private CertificateStore.Entry configuredDefault;
    /** The domains of {@code defaultGeneratedCert}, whose resolved certificate is the default one; null if none. */
    private Set<String> resolvedDefaultDomains;
    private TlsPolicy acmePolicy;
    /** Fetches and holds the OCSP responses to staple; null when the static {@code ocsp} section is absent. */
    private final OcspStapler ocsp;

    /**
     * @param baseDir against which relative certificate paths are read; null for the working directory, which is
     *        what the gateway passes: dynamic configuration paths are read from where it runs, as Traefik reads them
     * @param engine the TLS implementation of every option set ({@code tlsEngine})
     */
    public TlsManager(Path baseDir, TlsEngine engine) {
        this(baseDir, engine, null);
    }

    /**
     * As {@link #TlsManager(Path, TlsEngine)}, stapling OCSP responses (the static {@code ocsp} section).
     *
     * @param ocspResponderOverrides {@code ocsp.responderOverrides}; null when OCSP stapling is off
     */
    public TlsManager(Path baseDir, TlsEngine engine, Map<String, String> ocspResponderOverrides) {
        this.baseDir = baseDir;
        this.engine = engine;
        if (ocspResponderOverrides == null) {
            this.ocsp = null;
        } else if (!engine.name().equals("conscrypt")) {
            LOG.warn("ocsp: OCSP responses are not stapled by the JDK TLS engine (tlsEngine {}), which has no way to "
                    + "be given one; use tlsEngine auto or conscrypt (see docs/configuration/tls.md, OCSP stapling)",
                    engine.name());
            this.ocsp = null;
        } else if (ConscryptStapling.unavailable() != null) {
            LOG.warn("ocsp: OCSP responses are not stapled: this version of Conscrypt ({}) lacks the internal "
                    + "binding Gatehouse staples through (it works with Conscrypt 2.5 and 2.6)", engine.describe());
            LOG.debug("ocsp: {}", ConscryptStapling.unavailable());
            this.ocsp = null;
        } else {
            this.ocsp = new OcspStapler(ocspResponderOverrides);
            this.ocsp.start();
        }
    }

    /** The OCSP response held for {@code leaf} (null: none, or stapling is off): for tests. */
    byte[] ocspStaple(X509Certificate leaf) {
        return ocsp == null ? null : ocsp.staple(leaf);
    }

    /** The OCSP response to staple for {@code leaf}, for the key managers; null when stapling is off. */
    private java.util.function.Function<X509Certificate, byte[]> staples() {
        return ocsp == null ? null : ocsp::staple;
    }

    /**
     * The input of one configuration's TLS: what the providers defined and what the routers need.
     *
     * @param generatedDefaultDomains the domains of {@code tls.stores.default.defaultGeneratedCert}: once a resolver
     *        delivers a certificate for exactly these, it is the default certificate (unless {@code defaultCertificate}
     *        is given); null when not configured
     */
    public record Input(List<Defined<CertificateConfig>> certificates, Map<String, Defined<TlsOptionsConfig>> options,
            Defined<CertificateConfig> defaultCertificate, Map<String, String> optionsByHost,
            Set<String> generatedDefaultDomains) {
    }

    /**
     * Loads the certificates and option sets of one configuration; a certificate or option set that cannot be
     * loaded is reported and left out (routers asking for missing options use the defaults).
     */
    public synchronized TlsRuntime build(Input input, List<ConfigProblem> problems) {
        Map<String, CertificateStore.Entry> nowLoaded = new HashMap<>();
        List<CertificateStore.Entry> certificates = new ArrayList<>();
        for (Defined<CertificateConfig> certificate : input.certificates()) {
            try {
                certificates.add(load(certificate.value(), nowLoaded));
            } catch (CertificateLoadException e) {
                problems.add(new ConfigProblem("tls.certificates", certificate.origin(), e.getMessage()));
            }
        }
        CertificateStore.Entry defaultEntry = null;
        if (input.defaultCertificate() != null) {
            try {
                defaultEntry = load(input.defaultCertificate().value(), nowLoaded);
            } catch (CertificateLoadException e) {
                problems.add(new ConfigProblem("tls.stores.default.defaultCertificate",
                        input.defaultCertificate().origin(), e.getMessage() + "; the generated certificate is served instead"));
            }
        }
        loaded.clear();
        loaded.putAll(nowLoaded);
        configured = List.copyOf(certificates);
        configuredDefault = defaultEntry;
        resolvedDefaultDomains = input.generatedDefaultDomains() == null ? null
                : Set.copyOf(input.generatedDefaultDomains());
        publishStore();

        Map<String, TlsPolicy> built = new HashMap<>();
        Map<String, TlsPolicy> keep = new HashMap<>();
        Map<String, Defined<TlsOptionsConfig>> options = new LinkedHashMap<>(input.options());
        if (!options.containsKey(DEFAULT_OPTIONS)) {
            options.put(DEFAULT_OPTIONS, new Defined<>(null, null, "internal"));
        }
        options.forEach((name, defined) -> {
            String key = name + "\u0000" + defined.value();
            TlsPolicy policy = policies.get(key);
            if (policy == null) {
                try {
                    policy = TlsPolicy.create(name, defined.value(), store::get, aliases::get, baseDir, engine,
                            staples());
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem("tls.options." + name, defined.origin(), e.getMessage()));
                    return;
                } catch (Exception e) {
                    // The message a user reads; the exception (its class, its stack) is for DEBUG.
                    LOG.debug("tls.options.{} cannot be set up", name, e);
                    problems.add(new ConfigProblem("tls.options." + name, defined.origin(), "cannot be set up: "
                            + (e.getMessage() == null ? "the TLS engine refused these options" : e.getMessage())));
                    return;
                }
            }
            keep.put(key, policy);
            built.put(name, policy);
        });
        TlsPolicy defaultPolicy = built.get(DEFAULT_OPTIONS);
        if (defaultPolicy == null) {
            // The configured default options are invalid: serve with the built-in defaults, as Traefik does.
            String key = DEFAULT_OPTIONS + "\u0000null";
            defaultPolicy = policies.get(key);
            try {
                defaultPolicy = defaultPolicy != null ? defaultPolicy
                        : TlsPolicy.create(DEFAULT_OPTIONS, null, store::get, aliases::get, baseDir, engine, staples());
            } catch (Exception e) {
                throw new IllegalStateException("the built-in TLS defaults cannot be set up", e);
            }
            keep.put(key, defaultPolicy);
        }
        List<TlsPolicy> retired = new ArrayList<>();
        policies.forEach((key, policy) -> {
            if (!keep.containsKey(key)) {
                retired.add(policy);
            }
        });
        policies.clear();
        policies.putAll(keep);
        if (!retired.isEmpty()) {
            // Connections accepted just before the swap may still be choosing a policy: stop later.
            retirer.schedule(() -> retired.forEach(TlsPolicy::stop), 60, TimeUnit.SECONDS);
        }

        Map<String, TlsPolicy> byHost = new HashMap<>();
        TlsPolicy fallback = defaultPolicy;
        input.optionsByHost().forEach((host, name) -> byHost.put(host, built.getOrDefault(name, fallback)));
        return new TlsRuntime(byHost, defaultPolicy);
    }

    /** Why a configured certificate was left out; the message is the whole reason. */
    private static final class CertificateLoadException extends Exception {
        private static final long serialVersionUID = 1L;

        CertificateLoadException(String message) {
            super(message, null, false, false);
        }
    }

    /** The certificate and key of {@code certificate}, reusing what the previous configuration loaded. */
    private CertificateStore.Entry load(CertificateConfig certificate, Map<String, CertificateStore.Entry> nowLoaded)
            throws CertificateLoadException {
        String certText;
        String keyText;
        try {
            certText = Pem.text(certificate.certFile(), baseDir);
        } catch (Exception e) {
            throw new CertificateLoadException("certFile " + describe(certificate.certFile()) + " cannot be read: " + e.getMessage());
        }
        try {
            keyText = Pem.text(certificate.keyFile(), baseDir);
        } catch (Exception e) {
            throw new CertificateLoadException("keyFile " + describe(certificate.keyFile()) + " cannot be read: " + e.getMessage());
        }
        String cacheKey = certText + "\u0000" + keyText;
        CertificateStore.Entry entry = nowLoaded.get(cacheKey);
        if (entry == null) {
            entry = loaded.get(cacheKey);
        }
        if (entry == null) {
            try {
                CertifiedKey key = new CertifiedKey(Pem.privateKey(keyText), Pem.certificates(certText));
                if (!key.leaf().getPublicKey().getAlgorithm().equals(key.key().getAlgorithm())) {
                    throw new GeneralSecurityException("the key (" + key.key().getAlgorithm()
                            + ") does not belong to the certificate (" + key.leaf().getPublicKey().getAlgorithm() + ")");
                }
                entry = CertificateStore.entry(key);
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new CertificateLoadException("certificate " + describe(certificate.certFile()) + " with key "
                        + describe(certificate.keyFile()) + " cannot be loaded: " + e.getMessage());
            }
        }
        nowLoaded.put(cacheKey, entry);
        return entry;
    }

    private static String describe(String fileOrContent) {
        return fileOrContent == null ? "(missing)" : TlsPolicy.abbreviate(fileOrContent);
    }

    /** A resolver issued or renewed the certificate for {@code domains}: served from the next handshake on. */
    public void issued(Set<String> domains, CertifiedKey key) {
        issued(null, domains, key);
    }

    /** As {@link #issued(Set, CertifiedKey)}, remembering which resolver delivered it. */
    public void issued(String resolver, Set<String> domains, CertifiedKey key) {
        Set<String> set = Set.copyOf(domains);
        if (resolver != null) {
            resolvedBy.put(set, resolver);
        }
        resolved.put(set, CertificateStore.entry(key));
        synchronized (this) {
            publishStore();
        }
    }

    /** The certificate a resolver delivered for {@code domains}, or null. */
    public CertifiedKey resolvedFor(Set<String> domains) {
        CertificateStore.Entry entry = resolved.get(Set.copyOf(domains));
        return entry == null ? null : entry.certified();
    }

    /** Whether a configured or resolved certificate (not the default one) covers {@code serverName}. */
    public boolean covers(String serverName) {
        return store.get().covers(serverName);
    }

    private void publishStore() {
        List<CertificateStore.Entry> all = new ArrayList<>(configured);
        all.addAll(resolved.values());
        CertificateStore.Entry fromResolver = resolvedDefaultDomains == null ? null : resolved.get(resolvedDefaultDomains);
        // As Traefik: the configured default certificate, else the one a resolver obtained for defaultGeneratedCert
        // once it has arrived, else the generated one.
        CertificateStore.Entry fallback = configuredDefault != null ? configuredDefault
                : fromResolver != null ? fromResolver : generatedDefault();
        CertificateStore next = CertificateStore.of(all, fallback);
        CertificateStore previous = store.getAndSet(next);
        all.forEach(e -> aliases.put(e.alias(), e));
        aliases.put(fallback.alias(), fallback);
        // Keep the previous store's aliases a while for handshakes that chose one just before the swap.
        retirer.schedule(() -> aliases.keySet().removeIf(alias -> store.get().byAlias(alias) == null
                && challenges.get().byAlias(alias) == null), 60, TimeUnit.SECONDS);
        if (previous.size() != next.size()) {
            LOG.debug("TLS certificate store: {} certificate(s)", next.size());
        }
        if (ocsp != null) {
            List<CertifiedKey> served = new ArrayList<>();
            all.forEach(e -> served.add(e.certified()));
            served.add(fallback.certified());
            ocsp.track(served);
        }
    }

    private CertificateStore.Entry generatedDefault() {
        if (generatedDefault == null) {
            try {
                generatedDefault = CertificateStore.entry(SelfSignedCertificate.create("GATEHOUSE DEFAULT CERT",
                        List.of("gatehouse.default"), Duration.ofDays(365)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot generate the default certificate", e);
            }
        }
        return generatedDefault;
    }

    /**
     * A certificate being served, and where it came from.
     *
     * @param source {@code static} (from {@code tls.certificates}), {@code default} (the configured
     *     {@code tls.stores.default.defaultCertificate}) or {@code resolver} (obtained by a certificate resolver)
     * @param resolver the resolver's name, for {@code resolver} certificates whose resolver is known
     */
    public record Served(X509Certificate certificate, String source, String resolver) {

        /** The subject's CN; empty when there is none (as Go's {@code Subject.CommonName}). */
        public String commonName() {
            String cn = CertifiedKey.commonName(certificate.getSubjectX500Principal());
            return cn == null ? "" : cn;
        }

        /** The issuer's CN, or its whole name when it has no CN. */
        public String issuer() {
            String cn = CertifiedKey.commonName(certificate.getIssuerX500Principal());
            return cn != null ? cn : certificate.getIssuerX500Principal().getName();
        }

        /** The DNS names among the subject alternative names, sorted (Traefik's {@code sans} metric label). */
        public List<String> dnsNames() {
            List<String> names = new ArrayList<>();
            try {
                if (certificate.getSubjectAlternativeNames() != null) {
                    for (List<?> san : certificate.getSubjectAlternativeNames()) {
                        if (Integer.valueOf(2).equals(san.get(0))) {
                            names.add(String.valueOf(san.get(1)));
                        }
                    }
                }
            } catch (java.security.cert.CertificateParsingException e) {
                // no readable alternative names: none to report
            }
            names.sort(null);
            return names;
        }
    }

    /**
     * Every certificate served (for the metrics and the API): the configured ones, the configured default, and
     * those obtained by resolvers. Not the generated default certificate, which nobody has to renew.
     */
    public synchronized List<Served> served() {
        List<Served> out = new ArrayList<>();
        for (CertificateStore.Entry entry : configured) {
            out.add(new Served(entry.certified().leaf(), "static", null));
        }
        if (configuredDefault != null) {
            out.add(new Served(configuredDefault.certified().leaf(), "default", null));
        }
        resolved.forEach((domains, entry) -> out.add(new Served(entry.certified().leaf(), "resolver",
                resolvedBy.get(domains))));
        return out;
    }

    /** The current store, for tests and for resolvers that check what is served. */
    public CertificateStore store() {
        return store.get();
    }

    /** Serves {@code key} to ACME TLS-ALPN-01 validations of {@code domain}. */
    public void putChallengeCertificate(String domain, CertifiedKey key) {
        CertificateStore.Entry entry = CertificateStore.entry(key);
        aliases.put(entry.alias(), entry);
        challengeCertificates.put(CertificateStore.normalise(domain), entry);
        challenges.set(CertificateStore.of(List.copyOf(challengeCertificates.values()), null));
    }

    public void removeChallengeCertificate(String domain) {
        challengeCertificates.remove(CertificateStore.normalise(domain));
        challenges.set(CertificateStore.of(List.copyOf(challengeCertificates.values()), null));
    }

    /** The built-in default options, for TLS connections that arrive before the first configuration is applied. */
    public synchronized TlsPolicy fallbackPolicy() {
        String key = DEFAULT_OPTIONS + "\u0000null";
        TlsPolicy policy = policies.get(key);
        if (policy == null) {
            try {
                policy = TlsPolicy.create(DEFAULT_OPTIONS, null, store::get, aliases::get, baseDir, engine, staples());
            } catch (Exception e) {
                throw new IllegalStateException("the built-in TLS defaults cannot be set up", e);
            }
            policies.put(key, policy);
            if (store.get().defaultEntry() == null) {
                publishStore();
            }
        }
        return policy;
    }

    /** The options for connections offering only {@code acme-tls/1}. */
    public synchronized TlsPolicy acmePolicy() {
        if (acmePolicy == null) {
            try {
                acmePolicy = TlsPolicy.acmeTlsAlpn(challenges::get, aliases::get, engine);
            } catch (Exception e) {
                throw new IllegalStateException("cannot set up TLS-ALPN-01", e);
            }
        }
        return acmePolicy;
    }

    @Override
    public synchronized void close() {
        retirer.shutdownNow();
        if (ocsp != null) {
            ocsp.close();
        }
        policies.values().forEach(TlsPolicy::stop);
        policies.clear();
        if (acmePolicy != null) {
            acmePolicy.stop();
        }
    }
}

package dev.gatehouse.plugins.acme;

import dev.gatehouse.plugins.acme.dns.DnsProviders;
import dev.gatehouse.plugins.acme.dns.PropagationCheck;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code certificatesResolvers.<name>.acme}, with Traefik's keys.
 *
 * @param email the account's contact address
 * @param caServer the ACME directory URL; Let's Encrypt's production directory by default
 * @param storage where the account and certificates are kept (a file; a relative path is read from the static configuration file's folder)
 * @param keyType the certificates' key: {@code EC256} (default), {@code EC384}, {@code RSA2048}, {@code RSA4096},
 *        {@code RSA8192}
 * @param certificatesDuration the lifetime, in hours, of the certificates the CA issues (2160 by default); the
 *        renewal starts when a third of it is left
 * @param httpChallenge HTTP-01 on an entry point
 * @param tlsChallenge TLS-ALPN-01 when present ({@code tlsChallenge: {}}, or {@code =true} in flags and labels)
 * @param dnsChallenge DNS-01 through a DNS provider (the only challenge that can validate wildcard names)
 * @param eab external account binding: {@code kid} and {@code hmacEncoded}
 * @param caCertificates PEM files of CAs to trust for the connection to {@code caServer}: with them (or with
 *        {@code caServerName}) only these are trusted, unless {@code caSystemCertPool}
 * @param preferredChain the issuer common name of the top certificate of the chain to serve, among the chains the
 *        CA offers (the default chain when none matches)
 * @param profile the certificate profile asked of the CA (an ACME profiles extension), none by default
 * @param emailAddresses e-mail addresses put in the certificate request (subject alternative names)
 * @param disableCommonName leave the common name out of the certificate request
 * @param clientTimeout the limit of one HTTP exchange with the CA (2 minutes by default)
 * @param clientResponseHeaderTimeout the limit of the wait for the CA's response headers (30 seconds by default)
 * @param caSystemCertPool trust the JVM's CAs as well as {@code caCertificates}
 * @param caServerName the name the CA server's certificate must carry, instead of {@code caServer}'s host
 * @param certificateTimeout how long the CA may take to issue the certificate once the order is finalized (30
 *        seconds by default)
 */
public record AcmeConfig(
        String email,
        String caServer,
        String storage,
        String keyType,
        Integer certificatesDuration,
        HttpChallenge httpChallenge,
        TlsChallenge tlsChallenge,
        DnsChallenge dnsChallenge,
        Eab eab,
        List<String> caCertificates,
        String preferredChain,
        String profile,
        List<String> emailAddresses,
        Boolean disableCommonName,
        Duration clientTimeout,
        Duration clientResponseHeaderTimeout,
        Boolean caSystemCertPool,
        String caServerName,
        Duration certificateTimeout) {

    public static final String LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";
    /** Traefik's defaults (pkg/provider/acme/provider.go, SetDefaults). */
    static final Duration DEFAULT_CLIENT_TIMEOUT = Duration.ofMinutes(2);
    static final Duration DEFAULT_RESPONSE_HEADER_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_CERTIFICATE_TIMEOUT = Duration.ofSeconds(30);

    public AcmeConfig {
        caCertificates = caCertificates == null ? List.of() : List.copyOf(caCertificates);
        emailAddresses = emailAddresses == null ? List.of()
                : emailAddresses.stream().map(String::strip).filter(address -> !address.isEmpty()).toList();
        preferredChain = blankToNull(preferredChain);
        profile = blankToNull(profile);
        caServerName = blankToNull(caServerName);
        requirePositive("clientTimeout", clientTimeout);
        requirePositive("clientResponseHeaderTimeout", clientResponseHeaderTimeout);
        requirePositive("certificateTimeout", certificateTimeout);
        Duration total = clientTimeout == null ? DEFAULT_CLIENT_TIMEOUT : clientTimeout;
        Duration headers = clientResponseHeaderTimeout == null ? DEFAULT_RESPONSE_HEADER_TIMEOUT : clientResponseHeaderTimeout;
        if (total.compareTo(headers) < 0) {
            // Traefik's check (Provider.Init), with its words.
            throw new IllegalArgumentException("clientTimeout must be at least clientResponseHeaderTimeout (" + total
                    + " < " + headers + "): raise clientTimeout or lower clientResponseHeaderTimeout");
        }
    }

    /** Unset is the default; zero (no limit in Traefik) and negative are refused, naming {@code key}. */
    private static void requirePositive(String key, Duration timeout) {
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            throw new IllegalArgumentException(key + " must be a positive duration, such as 30s (leave it out for the "
                    + "default)");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /**
     * {@code httpChallenge}: the entry point the CA validates on, and {@code delay}, the wait between
     * publishing the token and asking the CA to validate it (none by default).
     */
    public record HttpChallenge(String entryPoint, Duration delay) {
    }

    /** {@code tlsChallenge}: {@code delay}, as {@code httpChallenge.delay}, for TLS-ALPN-01. */
    public record TlsChallenge(Duration delay) {
    }

    /** The wait before the CA is asked to validate a challenge of {@code type} ({@code http-01}, {@code tls-alpn-01}). */
    public Duration challengeDelay(String type) {
        Duration delay = switch (type) {
            case "http-01" -> httpChallenge == null ? null : httpChallenge.delay();
            case "tls-alpn-01" -> tlsChallenge == null ? null : tlsChallenge.delay();
            default -> null;
        };
        return delay == null || delay.isNegative() ? Duration.ZERO : delay;
    }

    public Duration certificateTimeoutOrDefault() {
        return certificateTimeout == null ? DEFAULT_CERTIFICATE_TIMEOUT : certificateTimeout;
    }

    public Duration clientTimeoutOrDefault() {
        return clientTimeout == null ? DEFAULT_CLIENT_TIMEOUT : clientTimeout;
    }

    public Duration clientResponseHeaderTimeoutOrDefault() {
        return clientResponseHeaderTimeout == null ? DEFAULT_RESPONSE_HEADER_TIMEOUT : clientResponseHeaderTimeout;
    }

    /** As Traefik: a pool of its own only when {@code caCertificates} or {@code caServerName} is set. */
    public boolean ownTrustPool() {
        return !caCertificates.isEmpty() || caServerName != null;
    }

    /**
     * {@code dnsChallenge}, with Traefik v3's keys. The provider is one of lego's names that Gatehouse has
     * ({@link DnsProviders}), configured by lego's environment variables; any other name is refused here, so that
     * {@code gatehouse check} reports it.
     *
     * @param provider {@code rfc2136}, {@code exec} or {@code httpreq}
     * @param resolvers the DNS servers ({@code host:port}) through which the zone is found and the record looked
     *        for; the system's resolvers when empty
     * @param propagation the checks before the CA is asked to validate
     * @param delayBeforeCheck deprecated in v3: {@code propagation.delayBeforeChecks}
     * @param disablePropagationCheck deprecated in v3: {@code propagation.disableChecks}
     */
    public record DnsChallenge(String provider, List<String> resolvers, Propagation propagation,
            Duration delayBeforeCheck, Boolean disablePropagationCheck) {

        public DnsChallenge {
            String problem = DnsProviders.problem(provider);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            provider = provider.strip();
            resolvers = resolvers == null ? List.of() : List.copyOf(resolvers);
            for (String resolver : resolvers) {
                PropagationCheck.resolverAddress(resolver);   // a malformed address is a configuration error
            }
        }

        /**
         * What lego is told, as Traefik builds it: the deprecated keys fill {@code propagation} (and make one
         * exist); without a {@code propagation} section lego's defaults apply (every authoritative nameserver and
         * every resolver must show the record); with one, the resolvers only with {@code requireAllRNS}.
         */
        public PropagationCheck.Settings propagationSettings() {
            Propagation effective = propagation;
            if (Boolean.TRUE.equals(disablePropagationCheck) || delayBeforeCheck != null && delayBeforeCheck.compareTo(Duration.ZERO) > 0) {
                Propagation base = effective == null ? new Propagation(null, null, null, null) : effective;
                effective = new Propagation(
                        Boolean.TRUE.equals(disablePropagationCheck) ? Boolean.TRUE : base.disableChecks(),
                        base.disableANSChecks(), base.requireAllRNS(),
                        delayBeforeCheck != null && delayBeforeCheck.compareTo(Duration.ZERO) > 0 ? delayBeforeCheck
                                : base.delayBeforeChecks());
            }
            List<java.net.InetSocketAddress> servers = resolvers.isEmpty() ? PropagationCheck.systemResolvers()
                    : resolvers.stream().map(PropagationCheck::resolverAddress).toList();
            if (effective == null) {
                return new PropagationCheck.Settings(servers, true, true, Duration.ZERO, false);
            }
            Duration delay = effective.delayBeforeChecks() == null || effective.delayBeforeChecks().isNegative()
                    ? Duration.ZERO : effective.delayBeforeChecks();
            return new PropagationCheck.Settings(servers, Boolean.TRUE.equals(effective.requireAllRNS()),
                    !Boolean.TRUE.equals(effective.disableANSChecks()), delay, Boolean.TRUE.equals(effective.disableChecks()));
        }

        /** The deprecated keys set, for the warning Traefik logs. */
        public List<String> deprecatedKeys() {
            List<String> keys = new java.util.ArrayList<>();
            if (Boolean.TRUE.equals(disablePropagationCheck)) {
                keys.add("disablePropagationCheck (use propagation.disableChecks)");
            }
            if (delayBeforeCheck != null && delayBeforeCheck.compareTo(Duration.ZERO) > 0) {
                keys.add("delayBeforeCheck (use propagation.delayBeforeChecks)");
            }
            return keys;
        }
    }

    /**
     * {@code dnsChallenge.propagation}: {@code disableChecks}, {@code disableANSChecks}, {@code requireAllRNS},
     * {@code delayBeforeChecks}.
     */
    public record Propagation(Boolean disableChecks, Boolean disableANSChecks, Boolean requireAllRNS,
            Duration delayBeforeChecks) {
    }

    /** {@code eab.kid}, {@code eab.hmacEncoded}. */
    public record Eab(String kid, String hmacEncoded) {
    }

    public String caServerOrDefault() {
        return caServer == null || caServer.isBlank() ? LETS_ENCRYPT : caServer.strip();
    }

    public String storageOrDefault() {
        return storage == null || storage.isBlank() ? "acme.json" : storage.strip();
    }

    public String keyTypeOrDefault() {
        return keyType == null || keyType.isBlank() ? "EC256" : keyType.strip().toUpperCase(Locale.ROOT);
    }

    public int certificatesDurationOrDefault() {
        return certificatesDuration == null ? 2160 : certificatesDuration;
    }

    public boolean tlsChallengeEnabled() {
        return tlsChallenge != null;
    }

    public String httpChallengeEntryPoint() {
        return httpChallenge == null || httpChallenge.entryPoint() == null || httpChallenge.entryPoint().isBlank()
                ? null : httpChallenge.entryPoint().strip();
    }
}

package dev.gatehouse.plugins.acme;

import dev.gatehouse.api.CertResolver;
import dev.gatehouse.api.CertificateSink;
import dev.gatehouse.api.ChallengeResponder;
import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.api.Storage;
import dev.gatehouse.plugins.acme.dns.DnsChallengeException;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Certificate;
import org.shredzone.acme4j.Identifier;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.OrderBuilder;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeNetworkException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.exception.AcmeUnauthorizedException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running ACME resolver. All ACME work happens on its own thread, one order at a time; requests for
 * domains that have a fresh certificate, or an order under way or waiting to be retried, start nothing.
 *
 * <p>Several gateways may share one storage (the static {@code storage} section): each entry is its own key
 * ({@link StoredCertificates}), an order is taken under a per-domain-set lock and only after the storage was read
 * again under it (another gateway may have just stored that certificate), and the storage's watch brings every
 * certificate and every pending challenge that another gateway stores into this one within moments, so that this
 * gateway serves the certificate and answers the CA's validation whichever gateway ordered.
 */
final class AcmeInstance implements CertResolver.Running, ChallengeResponder {

    private static final Logger LOG = LoggerFactory.getLogger(AcmeInstance.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(5);
    private static final Duration LAST_RETRY = Duration.ofMinutes(30);
    /**
     * How long a crashed gateway's order lock blocks the others. A shared store renews a held lock while the order
     * runs, so this is not a limit on the order.
     */
    static final Duration ORDER_LOCK_TTL = Duration.ofSeconds(30);
    /** How often a gateway waiting for another's order looks at the lock again (the certificate comes by the watch). */
    private static final Duration LOCK_RETRY = Duration.ofSeconds(2);
    /** How long a published challenge may take to come back through the watch before the CA is asked to validate. */
    private static final Duration PUBLISH_WAIT = Duration.ofSeconds(5);
    /**
     * How long a published challenge answer stays in a shared storage when the gateway that published it does not
     * withdraw it (it crashed mid-order): past the longest validation (the challenge's configured delay, then up to
     * {@link #WAIT}), so that the store does not keep answers nobody withdraws.
     */
    static final Duration CHALLENGE_TTL = Duration.ofMinutes(10);
    /** How often a shared storage that could not be read at start is tried again. */
    private static final Duration STORAGE_RETRY = Duration.ofSeconds(5);
    /**
     * How long after its own watch reported a published challenge a gateway waits before the CA validates: the other
     * gateways' watches report it as well, a moment later (measured: milliseconds, more on a busy machine). Not
     * waiting cost a failed validation, and a second order, in the two-gateway test.
     */
    private static final Duration PROPAGATION_MARGIN = Duration.ofSeconds(1);

    private final String name;
    private final AcmeConfig config;
    private final Storage storage;
    private final CertificateSink sink;
    private final String prefix;
    private final ScheduledExecutorService worker;
    /** Certificates held, by domain set (main domain first). */
    private final Map<Set<String>, Held> held = new ConcurrentHashMap<>();
    /** Domain sets with an order under way or a retry scheduled. */
    private final Set<Set<String>> busy = ConcurrentHashMap.newKeySet();
    private final Map<Set<String>, Integer> failures = new ConcurrentHashMap<>();
    /**
     * HTTP-01 key authorizations by token: this gateway's own and, through the watch, every other's. A validation
     * request is answered from here, never from the store (anyone may send them).
     */
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    /** Entry keys this gateway published and waits to see come back through the watch. */
    private final Map<String, java.util.concurrent.CountDownLatch> published = new ConcurrentHashMap<>();
    /** The storage's watches (none for a file); closed with the resolver. */
    private final List<Storage.Watch> watches = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Reads what the watches report, off the storage's own thread and off the ordering thread. */
    private final java.util.concurrent.ExecutorService watchEvents;
    private final StoredCertificates stored;
    /** DNS-01, when {@code dnsChallenge} is configured; else null. */
    private final DnsChallengeSolver dns;
    private Login login;

    /** Where challenges are published for the other gateways: {@code challenges/http/<token>}, {@code challenges/tls/<domain>}. */
    static final String CHALLENGES = "challenges/";
    static final String HTTP_CHALLENGES = "http/";
    static final String TLS_CHALLENGES = "tls/";

    private record Held(List<X509Certificate> chain, KeyPair key) {
        Instant renewAt(Duration configuredLifetime) {
            X509Certificate leaf = chain.get(0);
            Instant notAfter = leaf.getNotAfter().toInstant();
            Duration actual = Duration.between(leaf.getNotBefore().toInstant(), notAfter);
            Duration lifetime = actual.compareTo(configuredLifetime) < 0 ? actual : configuredLifetime;
            return notAfter.minus(lifetime.dividedBy(3));
        }
    }

    AcmeInstance(String name, AcmeConfig config, Storage storage, CertificateSink sink, DnsChallengeSolver dns) {
        this.name = name;
        this.dns = dns;
        this.config = config;
        this.storage = storage;
        this.sink = sink;
        this.prefix = "acme/" + name + "/";
        this.stored = new StoredCertificates(storage, prefix);
        this.watchEvents = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-acme-" + name + "-watch");
            t.setDaemon(true);
            return t;
        });
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-acme-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Serves every stored certificate at once and schedules the renewals; with a shared storage, watches it for the
     * certificates and challenges of the other gateways (before reading it, so that nothing falls in between).
     */
    void start() throws IOException {
        try {
            loadStored();
        } catch (IOException e) {
            if (!shared()) {
                throw e;   // a file that cannot be read: the resolver cannot start (as before shared storage)
            }
            // A shared store that does not answer now: start anyway, and read it as soon as it answers, so that a
            // gateway restarted during a store outage serves its certificates once the store is back.
            LOG.error("ACME resolver {}: the storage cannot be read now ({}); trying again every {} s", name,
                    e.getMessage(), STORAGE_RETRY.toSeconds());
            worker.schedule(this::retryLoad, STORAGE_RETRY.toSeconds(), TimeUnit.SECONDS);
        }
        // A backstop for the timers above (a clock that jumped, a renewal that was busy when its timer fired):
        // cheap, as it only compares dates.
        worker.scheduleWithFixedDelay(this::renewDue, 1, 1, TimeUnit.MINUTES);
    }

    /** Whether the storage is shared with other gateways (it can watch), rather than this gateway's own file. */
    private boolean shared() {
        return storage instanceof dev.gatehouse.api.StorageBackend.Connected;
    }

    private void retryLoad() {
        try {
            loadStored();
            LOG.info("ACME resolver {}: the storage is readable again; its certificates are served", name);
        } catch (IOException e) {
            LOG.debug("ACME resolver {}: the storage cannot be read yet: {}", name, e.getMessage());
            worker.schedule(this::retryLoad, STORAGE_RETRY.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** Watches (a shared storage), then reads what is stored: the watches first, so that nothing falls in between. */
    private void loadStored() throws IOException {
        if (watches.isEmpty()) {
            storage.watch(prefix + StoredCertificates.CERTIFICATES, (key, value) -> watchEvents.execute(() -> {
                if (value != null) {
                    adopt(key, false);
                }
            })).ifPresent(watches::add);
            storage.watch(prefix + CHALLENGES, (key, value) -> watchEvents.execute(() -> challengeChanged(key, value)))
                    .ifPresent(watches::add);
        }
        if (!watches.isEmpty()) {
            for (String key : storage.list(prefix + CHALLENGES)) {
                storage.get(key).ifPresent(value -> challengeChanged(key, value));
            }
        }
        for (String key : storage.list(prefix + StoredCertificates.CERTIFICATES)) {
            adopt(key, true);
        }
        // Read now rather than at the next order: an account key imported from a file is encrypted at once (when
        // storage.encryptionKey is set), and a key that does not decrypt is reported at start.
        storage.getSecret(prefix + "account/key");
    }

    /**
     * Serves the stored certificate {@code key} when it is newer than the one held for its domains, and schedules
     * its renewal.
     *
     * @param reportProblems log an entry that cannot be read at ERROR (at start), else at DEBUG (a watch event: the
     *     private key may arrive a moment after its certificate)
     */
    private void adopt(String key, boolean reportProblems) {
        try {
            Optional<StoredCertificates.Entry> entry = stored.read(key);
            if (entry.isEmpty()) {
                return;
            }
            Set<String> domains = entry.get().domains();
            Held certificate = new Held(entry.get().chain(), entry.get().key());
            synchronized (held) {
                Held current = held.get(domains);
                if (current != null && !current.chain().get(0).getNotAfter().before(certificate.chain().get(0).getNotAfter())) {
                    return;   // the same certificate (this gateway stored it), or an older one
                }
                held.put(domains, certificate);
            }
            sink.issued(domains, certificate.key().getPrivate(), certificate.chain());
            scheduleRenewal(domains, certificate);
        } catch (Exception e) {
            if (reportProblems) {
                LOG.error("ACME resolver {}: the stored certificate {} cannot be read and is ignored: {}", name, key,
                        FailureReasons.of(e));
            } else {
                LOG.debug("ACME resolver {}: the stored certificate {} cannot be read yet: {}", name, key, e.toString());
            }
        }
    }

    /** A challenge another gateway (or this one) published or withdrew: answer it here too, or stop. */
    private void challengeChanged(String key, byte[] value) {
        LOG.debug("ACME resolver {}: challenge {} {}", name, key, value == null ? "withdrawn" : "published");
        String rest = key.substring((prefix + CHALLENGES).length());
        if (rest.startsWith(HTTP_CHALLENGES)) {
            String token = rest.substring(HTTP_CHALLENGES.length());
            if (value == null) {
                tokens.remove(token);
            } else {
                tokens.put(token, new String(value, StandardCharsets.UTF_8));
            }
        } else if (rest.startsWith(TLS_CHALLENGES)) {
            String domain = rest.substring(TLS_CHALLENGES.length());
            if (value == null) {
                sink.tlsAlpnChallengeDone(domain);
            } else {
                try {
                    sink.tlsAlpnChallenge(domain, java.util.Base64.getDecoder().decode(value));
                } catch (IllegalArgumentException e) {
                    LOG.debug("ACME resolver {}: the stored challenge {} is not base64", name, key);
                }
            }
        }
        if (value != null) {
            java.util.concurrent.CountDownLatch seen = published.get(key);
            if (seen != null) {
                seen.countDown();
            }
        }
    }

    @Override
    public void request(Set<String> domains) {
        Set<String> wanted = normalise(domains);
        List<String> wildcards = wanted.stream().filter(domain -> domain.startsWith("*.")).toList();
        if (wildcards.stream().anyMatch(domain -> domain.startsWith("*.*"))) {
            // As Traefik (sanitizeDomains): RFC 8555 allows one leading wildcard label only.
            sink.failed(wanted, new AcmeFailure("ACME does not allow a '*.*' wildcard name " + wildcards, null));
            return;
        }
        if (dns == null) {
            if (!wildcards.isEmpty()) {
                // Traefik's lego fails these at the order (it has no solver for them); say why before asking the CA.
                sink.failed(wanted, new AcmeFailure("the wildcard name" + (wildcards.size() > 1 ? "s " : " ")
                        + String.join(", ", wildcards) + " need" + (wildcards.size() > 1 ? "" : "s")
                        + " DNS-01: add dnsChallenge to certificatesResolvers." + name + ".acme (ACME CAs validate "
                        + "wildcard names only over DNS-01)", null));
                return;
            }
        }
        Held current = held.get(wanted);
        if (current != null && Instant.now().isBefore(current.renewAt(lifetime()))) {
            return;
        }
        if (busy.add(wanted)) {
            worker.execute(() -> obtain(wanted));
        }
    }

    private Duration lifetime() {
        return Duration.ofHours(config.certificatesDurationOrDefault());
    }

    /**
     * Renews when the certificate's renewal time comes. The timer does not ask {@link #request} again: a timer may
     * fire a little before the wall clock reaches the renewal time (its delay is rounded, and clocks differ), and
     * a "still fresh" answer then would leave the renewal to the periodic check.
     */
    private void scheduleRenewal(Set<String> domains, Held certificate) {
        long delay = Math.max(0, Duration.between(Instant.now(), certificate.renewAt(lifetime())).toMillis() + 1);
        worker.schedule(() -> {
            if (held.get(domains) == certificate && busy.add(domains)) {
                obtain(domains);
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void renewDue() {
        held.forEach((domains, certificate) -> {
            if (!Instant.now().isBefore(certificate.renewAt(lifetime()))) {
                request(domains);
            }
        });
    }

    /**
     * Orders a certificate, unless the storage holds a fresh one (another gateway's): the storage is read, the
     * domain set's lock taken, the storage read again, and only then is the certificate ordered. While another
     * gateway holds the lock this one waits for it (its certificate comes through the watch). On failure, reports it
     * and tries again later, backing off.
     */
    private void obtain(Set<String> domains) {
        try {
            if (adoptedFromStorage(domains)) {
                done(domains);
                return;
            }
            Optional<Storage.Lock> lock = storage.tryLock(prefix + "order/" + String.join(",", domains), ORDER_LOCK_TTL);
            if (lock.isEmpty()) {
                LOG.debug("ACME resolver {}: another gateway is ordering {}; waiting for it", name, domains);
                worker.schedule(() -> obtain(domains), LOCK_RETRY.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            try (Storage.Lock orderLock = lock.get()) {
                if (!adoptedFromStorage(domains)) {
                    order(domains);
                }
            }
            done(domains);
        } catch (AcmeServerException e) {
            if (isAccountProblem(e)) {
                // The CA no longer knows the stored account (a new CA, or one that lost its state): register again.
                login = null;
                forgetAccount();
            }
            retryLater(domains, e);
        } catch (Exception e) {
            retryLater(domains, e);
        }
    }

    private void done(Set<String> domains) {
        failures.remove(domains);
        busy.remove(domains);
    }

    /**
     * Reads {@code domains}' entry from the storage (once: {@link #adopt} reads it); true when it holds a certificate
     * not yet due for renewal. A storage that cannot be read counts as no certificate: the lock that follows fails the
     * same way, and the order is tried again later.
     */
    private boolean adoptedFromStorage(Set<String> domains) {
        adopt(stored.certificateKey(domains), false);
        Held current = held.get(domains);
        return current != null && Instant.now().isBefore(current.renewAt(lifetime()));
    }

    private void retryLater(Set<String> domains, Exception cause) {
        int failed = failures.merge(domains, 1, Integer::sum);
        long seconds = Math.min(LAST_RETRY.toSeconds(), FIRST_RETRY.toSeconds() << Math.min(failed - 1, 20));
        sink.failed(domains, new AcmeFailure(describe(cause) + " (attempt " + failed + "; next in " + seconds + " s)", cause));
        worker.schedule(() -> obtain(domains), seconds, TimeUnit.SECONDS);
    }

    private static boolean isAccountProblem(AcmeException e) {
        return e instanceof AcmeUnauthorizedException || e instanceof AcmeServerException server
                && String.valueOf(server.getType()).endsWith(":accountDoesNotExist");
    }

    /** The CA's own words when it gave any. */
    static String describe(Throwable e) {
        if (e instanceof AcmeServerException server) {
            Problem problem = server.getProblem();
            return "CA error " + problem.getType() + ": " + problem.getDetail().orElse(String.valueOf(e.getMessage()));
        }
        if (e instanceof DnsChallengeException) {
            return e.getMessage();   // written for the operator: domain, server and what to check
        }
        if (e instanceof AcmeNetworkException) {
            // acme4j says only "Network error": the reason is in the causes (refused, timed out, untrusted).
            return "cannot reach the CA: " + FailureReasons.of(e.getCause() == null ? e : e.getCause());
        }
        return FailureReasons.of(e);
    }

    private void order(Set<String> domains) throws Exception {
        // INFO, once per order: with several gateways on one storage, this line tells which one ordered.
        LOG.info("ACME resolver {}: ordering a certificate for {}", name, domains);
        Login account = login();
        OrderBuilder builder = account.newOrder().domains(domains);
        if (config.profile() != null) {
            builder.profile(config.profile());
        }
        Order order = builder.create();
        if (dns != null) {
            dns.beginOrder();
        }
        for (Authorization authorization : order.getAuthorizations()) {
            if (authorization.getStatus() != Status.VALID) {
                authorize(account, authorization);
            }
        }
        Status ready = order.waitUntilReady(WAIT);
        if (ready != Status.READY) {
            throw new AcmeException("the order is " + ready + order.getError().map(p -> ": " + problem(p)).orElse(""));
        }
        KeyPair key = Keys.generate(config.keyTypeOrDefault());
        order.execute(CertificateRequests.csr(key, domains, config.emailAddresses(),
                !Boolean.TRUE.equals(config.disableCommonName())));
        Status done = order.waitForCompletion(config.certificateTimeoutOrDefault());   // certificateTimeout
        if (done != Status.VALID) {
            throw new AcmeException("the order is " + done + order.getError().map(p -> ": " + problem(p)).orElse(""));
        }
        List<X509Certificate> chain = chain(order.getCertificate());
        Held issued = new Held(chain, key);
        stored.write(domains, key, chain);
        held.put(domains, issued);
        sink.issued(domains, key.getPrivate(), chain);
        scheduleRenewal(domains, issued);
    }

    /** The certificate chain to serve: the CA's default, or the alternate that {@code preferredChain} names. */
    private List<X509Certificate> chain(Certificate certificate) throws AcmeException {
        if (config.preferredChain() == null) {
            return certificate.getCertificateChain();
        }
        List<List<X509Certificate>> alternates = new ArrayList<>();
        for (Certificate alternate : certificate.getAlternateCertificates()) {
            alternates.add(alternate.getCertificateChain());
        }
        List<X509Certificate> byDefault = certificate.getCertificateChain();
        List<X509Certificate> chosen = CertificateRequests.preferredChain(byDefault, alternates, config.preferredChain());
        if (CertificateRequests.topIssuerCommonName(chosen).filter(config.preferredChain()::equals).isEmpty()) {
            // At INFO, as lego says it: a misspelt preferredChain otherwise goes unnoticed.
            List<String> offered = new ArrayList<>();
            CertificateRequests.topIssuerCommonName(byDefault).ifPresent(offered::add);
            alternates.forEach(chain -> CertificateRequests.topIssuerCommonName(chain).ifPresent(offered::add));
            LOG.info("ACME resolver {}: preferredChain '{}' matches no chain the CA offers (their top issuers: {}); "
                    + "the default chain is served", name, config.preferredChain(), String.join(", ", offered));
        }
        return chosen;
    }

    private void authorize(Login account, Authorization authorization) throws Exception {
        String domain = authorization.getIdentifier().getDomain();
        Optional<TlsAlpn01Challenge> tls = config.tlsChallengeEnabled() && !authorization.isWildcard()
                ? authorization.findChallenge(TlsAlpn01Challenge.class) : Optional.empty();
        Optional<Http01Challenge> http = config.httpChallengeEntryPoint() != null && !authorization.isWildcard()
                ? authorization.findChallenge(Http01Challenge.class) : Optional.empty();
        Optional<Dns01Challenge> viaDns = dns != null ? authorization.findChallenge(Dns01Challenge.class) : Optional.empty();
        if (http.isPresent()) {
            String token = http.get().getToken();
            String entry = prefix + CHALLENGES + HTTP_CHALLENGES + token;
            tokens.put(token, http.get().getAuthorization());
            try {
                publish(entry, http.get().getAuthorization().getBytes(StandardCharsets.UTF_8),
                        CHALLENGE_TTL.plus(config.challengeDelay(http.get().getType())));
                validate(http.get(), domain);
            } finally {
                tokens.remove(token);
                withdraw(entry);
            }
        } else if (tls.isPresent()) {
            String entry = prefix + CHALLENGES + TLS_CHALLENGES + domain;
            sink.tlsAlpnChallenge(domain, tls.get().getAcmeValidation());
            try {
                publish(entry, java.util.Base64.getEncoder().encode(tls.get().getAcmeValidation()),
                        CHALLENGE_TTL.plus(config.challengeDelay(tls.get().getType())));
                validate(tls.get(), domain);
            } finally {
                sink.tlsAlpnChallengeDone(domain);
                withdraw(entry);
            }
        } else if (viaDns.isPresent()) {
            // acme4j keeps the token to itself: the key authorization is "<token>.<account key thumbprint>".
            String keyAuthorization = viaDns.get().getAuthorization();
            String token = keyAuthorization.substring(0, keyAuthorization.indexOf('.'));
            try (DnsChallengeSolver.Published published = dns.publish(domain, token, keyAuthorization)) {
                validate(viaDns.get(), (authorization.isWildcard() ? "*." : "") + domain);
            }
        } else {
            throw new AcmeException("the CA offers no usable challenge for " + (authorization.isWildcard() ? "*." : "")
                    + domain + " (configured: " + (config.httpChallengeEntryPoint() != null ? "http-01 " : "")
                    + (config.tlsChallengeEnabled() ? "tls-alpn-01 " : "") + (dns != null ? "dns-01" : "") + ")");
        }
    }

    /**
     * Stores a challenge's answer so that every gateway sharing the storage answers the CA, whichever one it reaches,
     * and waits (at most {@link #PUBLISH_WAIT}) until it comes back through this gateway's own watch: the other
     * gateways' watches are then as far, give or take moments. Without a watch (a file) only this gateway answers.
     */
    private void publish(String entry, byte[] value, Duration ttl) throws IOException, InterruptedException {
        if (watches.isEmpty()) {
            return;
        }
        java.util.concurrent.CountDownLatch seen = new java.util.concurrent.CountDownLatch(1);
        published.put(entry, seen);
        try {
            storage.put(entry, value, ttl);
            if (!seen.await(PUBLISH_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("ACME resolver {}: the challenge {} did not come back through the storage's watch within {} s;"
                        + " a gateway other than this one may not answer the CA's validation", name, entry,
                        PUBLISH_WAIT.toSeconds());
            } else {
                Thread.sleep(PROPAGATION_MARGIN.toMillis());
            }
        } finally {
            published.remove(entry);
        }
    }

    private void withdraw(String entry) {
        if (watches.isEmpty()) {
            return;
        }
        try {
            storage.delete(entry);
        } catch (IOException e) {
            LOG.warn("ACME resolver {}: cannot remove the challenge {} from the storage: {}", name, entry, e.getMessage());
        }
    }

    /**
     * Asks the CA to validate {@code challenge}, after {@code httpChallenge.delay} or {@code tlsChallenge.delay}
     * (lego's http01/tlsalpn01 SetDelay: a pause between publishing the answer and the validation), and waits for
     * its verdict.
     */
    private void validate(Challenge challenge, String domain) throws Exception {
        Duration delay = config.challengeDelay(challenge.getType());
        if (!delay.isZero()) {
            Thread.sleep(delay.toMillis());
        }
        challenge.trigger();
        Status status = challenge.waitForCompletion(WAIT);
        if (status != Status.VALID) {
            throw new AcmeException(challenge.getType() + " for " + domain + " is " + status
                    + challenge.getError().map(p -> ": " + problem(p)).orElse(""));
        }
    }

    private static String problem(Problem problem) {
        return problem.getType() + " " + problem.getDetail().orElse("");
    }

    /** Logs in with the stored account, or registers one (and stores it). */
    private Login login() throws Exception {
        if (login != null) {
            return login;
        }
        Session session = new Session(URI.create(config.caServerOrDefault()), new CaServerProvider(config));
        session.networkSettings().setTimeout(config.clientResponseHeaderTimeoutOrDefault());
        if (config.profile() != null && !session.getMetadata().isProfileAllowed(config.profile())) {
            // lego sends the profile and the CA refuses the order; say which profiles the CA has before that.
            throw new AcmeException("the CA offers no profile '" + config.profile() + "' (profiles: "
                    + (session.getMetadata().getProfiles().isEmpty() ? "none"
                            : String.join(", ", session.getMetadata().getProfiles())) + "): change profile in "
                    + "certificatesResolvers." + name + ".acme");
        }
        Login existing = storedLogin(session);
        if (existing != null) {
            return existing;
        }
        // One account for every gateway sharing the storage: registered under a lock, after reading it again.
        Optional<Storage.Lock> lock = storage.tryLock(prefix + "account", ORDER_LOCK_TTL);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (lock.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(LOCK_RETRY.toMillis());
            lock = storage.tryLock(prefix + "account", ORDER_LOCK_TTL);
        }
        if (lock.isEmpty()) {
            throw new IOException("another gateway has been registering the ACME account for " + WAIT.toSeconds() + " s");
        }
        try (Storage.Lock accountLock = lock.get()) {
            existing = storedLogin(session);
            return existing != null ? existing : register(session);
        }
    }

    /** The stored account's login, or null when the storage has none. */
    private Login storedLogin(Session session) throws Exception {
        Optional<byte[]> storedKey = storage.getSecret(prefix + "account/key");
        Optional<byte[]> storedUrl = storage.get(prefix + "account/url");
        if (storedKey.isPresent() && storedUrl.isPresent()) {
            KeyPair key = Keys.keyPair(new String(storedKey.get(), StandardCharsets.UTF_8));
            login = session.login(URI.create(new String(storedUrl.get(), StandardCharsets.UTF_8).strip()).toURL(), key);
            return login;
        }
        return null;
    }

    private Login register(Session session) throws Exception {
        Optional<byte[]> storedKey = storage.getSecret(prefix + "account/key");
        KeyPair key = storedKey.isPresent() ? Keys.keyPair(new String(storedKey.get(), StandardCharsets.UTF_8))
                : Keys.generate("EC256");
        AccountBuilder account = new AccountBuilder().agreeToTermsOfService().useKeyPair(key);
        if (config.email() != null && !config.email().isBlank()) {
            account.addEmail(config.email().strip());
        }
        if (config.eab() != null && config.eab().kid() != null) {
            account.withKeyIdentifier(config.eab().kid(), config.eab().hmacEncoded());
        }
        Login created = account.createLogin(session);
        storage.putSecret(prefix + "account/key", Keys.pem(key).getBytes(StandardCharsets.UTF_8));
        URL location = created.getAccountLocation();
        storage.put(prefix + "account/url", location.toString().getBytes(StandardCharsets.UTF_8));
        LOG.info("ACME resolver {}: account registered at {}", name, location);
        login = created;
        return login;
    }

    private void forgetAccount() {
        try {
            storage.delete(prefix + "account/url");
        } catch (IOException e) {
            LOG.warn("ACME resolver {}: cannot forget the account: {}", name, FailureReasons.of(e));
        }
    }

    private static Set<String> normalise(Set<String> domains) {
        Set<String> out = new LinkedHashSet<>();
        for (String domain : domains) {
            out.add(domain.strip().toLowerCase(Locale.ROOT));
        }
        return java.util.Collections.unmodifiableSet(out);
    }

    @Override
    public String httpChallengeEntryPoint() {
        return config.httpChallengeEntryPoint();
    }

    @Override
    public String keyAuthorization(String token) {
        return tokens.get(token);
    }

    @Override
    public void close() {
        watches.forEach(Storage.Watch::close);
        worker.shutdownNow();
        watchEvents.shutdownNow();
    }

    /** A failure as the gateway logs it: the CA's error first. */
    static final class AcmeFailure extends Exception {
        private static final long serialVersionUID = 1L;

        AcmeFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * acme4j's generic provider, with the trust toward the CA server that {@code caCertificates},
     * {@code caSystemCertPool} and {@code caServerName} ask for ({@link CaServerTrust}) and Traefik's timeouts: a
     * connection is set up within {@code clientTimeout}, and each request's response headers arrive within
     * {@code clientResponseHeaderTimeout} (acme4j's request timeout, set on the session).
     */
    private static final class CaServerProvider extends GenericAcmeProvider {
        private final AcmeConfig config;

        CaServerProvider(AcmeConfig config) {
            this.config = config;
        }

        @Override
        public HttpClient createHttpClient(NetworkSettings settings) {
            HttpClient.Builder builder = HttpClient.newBuilder()
                    .connectTimeout(config.clientTimeoutOrDefault())
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .proxy(settings.getProxySelector());
            if (settings.getAuthenticator() != null) {
                builder.authenticator(settings.getAuthenticator());
            }
            try {
                SSLContext context = CaServerTrust.sslContext(config);
                if (context != null) {
                    builder.sslContext(context);
                }
            } catch (Exception e) {
                // checked at start (AcmeResolver); here only when a file has changed since
                throw new IllegalStateException(e.getMessage(), e);
            }
            return builder.build();
        }
    }
}

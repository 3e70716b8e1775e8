package dev.gatehouse.core.tls;

import dev.gatehouse.core.config.GoDurations;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OCSP stapling as Traefik's static {@code ocsp} does it: every served certificate that names an OCSP responder
 * (in its Authority Information Access) gets a response from that responder, or from the one
 * {@code ocsp.responderOverrides} maps it to, fetched in the background when the certificate is loaded and again
 * once half of the response's validity (thisUpdate to nextUpdate) has passed, checked every hour. Handshakes only
 * read the response held ({@link #staple}); they never wait for a responder.
 *
 * <p>A fetch that fails leaves the last good response in place (until its nextUpdate, after which clients would
 * reject it: then none) and is tried again at the next check; it is logged at WARN at most once an hour per
 * certificate. Like Traefik, the response is stapled whatever status it gives (a revoked certificate's response
 * tells clients so), once it is well-formed, about this certificate, and signed by its issuer or by a responder the
 * issuer delegated to. A certificate no longer served is forgotten 24 hours later (as Traefik's cache), so that a
 * reload that drops and restores it keeps its response.
 */
public final class OcspStapler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OcspStapler.class);

    /** How often the responses are checked; tests shorten it (milliseconds). Traefik: every hour. */
    static final String CHECK_INTERVAL_PROPERTY = "gatehouse.ocsp.checkIntervalMillis";
    private static final Duration HOUR = Duration.ofHours(1);
    /** As Traefik's HTTP client for responders. */
    private static final Duration RESPONDER_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration FORGET_AFTER = Duration.ofHours(24);
    /** OCSP responses are a few KiB (a signature, and perhaps the responder's certificate); more is not read. */
    static final int MAX_RESPONSE_BYTES = 64 * 1024;
    private static final String AUTHORITY_INFO_ACCESS = "1.3.6.1.5.5.7.1.1";
    private static final byte[] OCSP_ACCESS_METHOD = Der.oid("1.3.6.1.5.5.7.48.1");

    private final Map<String, String> responderOverrides;
    private final Duration checkInterval;
    private final Clock clock;
    private final HttpClient http;
    private final Map<X509Certificate, Tracked> tracked = new ConcurrentHashMap<>();
    private final AtomicBoolean updateQueued = new AtomicBoolean();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gatehouse-ocsp");
        t.setDaemon(true);
        return t;
    });

    /** A response held for stapling, and when it stops being worth stapling (null: no nextUpdate given). */
    private record Staple(byte[] response, Instant nextUpdate) {
    }

    /** One certificate being stapled. Fields are written by the worker thread only. */
    private static final class Tracked {
        final X509Certificate leaf;
        final X509Certificate issuer;
        final List<String> responders;
        final String name;
        volatile Staple staple;
        Instant refreshAt = Instant.MIN;
        Instant forgetAt;
        Instant warnedAt;
        OcspMessages.CertStatus reported;

        Tracked(X509Certificate leaf, X509Certificate issuer, List<String> responders) {
            this.leaf = leaf;
            this.issuer = issuer;
            this.responders = responders;
            this.name = displayName(leaf);
        }
    }

    /**
     * @param responderOverrides responder URL as a certificate names it, to the URL asked instead
     */
    public OcspStapler(Map<String, String> responderOverrides) {
        this(responderOverrides, Clock.systemUTC());
    }

    /** With the clock that dates responses' validity, for tests. */
    OcspStapler(Map<String, String> responderOverrides, Clock clock) {
        this.responderOverrides = Map.copyOf(responderOverrides);
        this.clock = clock;
        this.checkInterval = Duration.ofMillis(Long.getLong(CHECK_INTERVAL_PROPERTY, HOUR.toMillis()));
        this.http = HttpClient.newBuilder().connectTimeout(RESPONDER_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** Starts the periodic checks. */
    public void start() {
        long interval = checkInterval.toMillis();
        worker.scheduleWithFixedDelay(this::updateAll, interval, interval, TimeUnit.MILLISECONDS);
    }

    /**
     * The certificates now served (leaf first, then the issuer, as configured): those naming a responder are
     * tracked, those no longer served are forgotten in a day, and responses still missing are fetched now, in the
     * background.
     */
    public void track(Collection<CertifiedKey> served) {
        Set<X509Certificate> now = new HashSet<>();
        for (CertifiedKey key : served) {
            X509Certificate leaf = key.leaf();
            List<String> responders = responders(leaf);
            if (responders.isEmpty() || !now.add(leaf)) {
                continue;
            }
            // As Traefik: the certificate after the leaf is its issuer; a lone certificate is taken as its own.
            X509Certificate issuer = key.chain().size() > 1 ? key.chain().get(1) : leaf;
            tracked.computeIfAbsent(leaf, l -> new Tracked(l, issuer, responders));
        }
        submit(() -> {
            Instant forgetAt = clock.instant().plus(FORGET_AFTER);
            tracked.values().forEach(t -> t.forgetAt = now.contains(t.leaf) ? null
                    : t.forgetAt != null ? t.forgetAt : forgetAt);
        });
        queueUpdate();
    }

    /** The response to staple to a handshake presenting {@code leaf}; null when there is none worth sending. */
    public byte[] staple(X509Certificate leaf) {
        Tracked t = tracked.get(leaf);
        Staple staple = t == null ? null : t.staple;
        if (staple == null || staple.nextUpdate() != null && !clock.instant().isBefore(staple.nextUpdate())) {
            return null;
        }
        return staple.response();
    }

    /** Runs a check now, as the hourly one does, and waits for it: for tests. */
    void checkNow() throws Exception {
        worker.submit(this::updateAll).get(30, TimeUnit.SECONDS);
    }

    private void queueUpdate() {
        if (updateQueued.compareAndSet(false, true)) {
            submit(() -> {
                updateQueued.set(false);
                updateAll();
            });
        }
    }

    private void submit(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: nothing more to fetch
        }
    }

    private void updateAll() {
        Instant now = clock.instant();
        tracked.values().removeIf(t -> t.forgetAt != null && now.isAfter(t.forgetAt));
        for (Tracked t : new ArrayList<>(tracked.values())) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            if (t.staple == null || !now.isBefore(t.refreshAt)) {
                update(t);
            }
        }
    }

    /** Asks the certificate's responders in turn; the first good answer is kept. */
    private void update(Tracked t) {
        List<String> failures = new ArrayList<>();
        byte[] request;
        try {
            request = OcspMessages.request(t.leaf, t.issuer);
        } catch (GeneralSecurityException e) {
            failures.add("cannot make the request: " + e.getMessage());
            request = null;
        }
        for (int i = 0; request != null && i < t.responders.size(); i++) {
            String responder = t.responders.get(i);
            try {
                byte[] response = fetch(responder, request);
                OcspMessages.Checked checked = OcspMessages.check(response, t.leaf, t.issuer);
                accept(t, responder, response, checked);
                return;
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                failures.add(responder + ": " + reason(e));
                LOG.debug("OCSP responder {} for certificate '{}'", responder, t.name, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        Instant now = clock.instant();
        String message = "OCSP: no response for certificate '" + t.name + "' (" + String.join("; ", failures)
                + (t.issuer == t.leaf && !t.leaf.getIssuerX500Principal().equals(t.leaf.getSubjectX500Principal())
                        ? "; its file holds no issuer certificate after it, which OCSP needs: give the full chain"
                        : "")
                + "); " + (staple(t.leaf) != null ? "its handshakes keep the last response until "
                        + t.staple.nextUpdate() : "its handshakes carry no OCSP response")
                + "; trying again within " + GoDurations.format(checkInterval);
        if (t.warnedAt == null || !now.isBefore(t.warnedAt.plus(HOUR))) {
            t.warnedAt = now;
            LOG.warn(message);
        } else {
            LOG.debug(message);
        }
    }

    private void accept(Tracked t, String responder, byte[] response, OcspMessages.Checked checked) {
        Instant nextUpdate = checked.nextUpdate();
        t.staple = new Staple(response, nextUpdate);
        // As Traefik: once half the validity has passed; without a nextUpdate, at the next check.
        t.refreshAt = nextUpdate == null ? clock.instant()
                : checked.thisUpdate().plus(Duration.between(checked.thisUpdate(), nextUpdate).dividedBy(2));
        t.warnedAt = null;
        if (checked.status() != OcspMessages.CertStatus.GOOD && checked.status() != t.reported) {
            LOG.warn("OCSP: responder {} reports certificate '{}' as {}; clients are told so by the stapled "
                    + "response", responder, t.name, checked.status().name().toLowerCase(Locale.ROOT));
        }
        t.reported = checked.status();
        LOG.debug("OCSP: response for certificate '{}' from {}: {}, next update {}", t.name, responder,
                checked.status(), nextUpdate);
    }

    private byte[] fetch(String responder, byte[] request) throws IOException, InterruptedException {
        URI uri;
        try {
            uri = URI.create(responder);
        } catch (IllegalArgumentException e) {
            throw new IOException("'" + responder + "' is not a URL");
        }
        HttpRequest post = HttpRequest.newBuilder(uri).timeout(RESPONDER_TIMEOUT)
                .header("Content-Type", "application/ocsp-request")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build();
        HttpResponse<InputStream> answer = http.send(post, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = answer.body()) {
            if (answer.statusCode() / 100 != 2) {
                throw new IOException("HTTP status " + answer.statusCode());
            }
            byte[] response = body.readNBytes(MAX_RESPONSE_BYTES + 1);
            if (response.length > MAX_RESPONSE_BYTES) {
                throw new IOException("the answer is larger than " + MAX_RESPONSE_BYTES / 1024 + " KiB, which no OCSP "
                        + "response is");
            }
            return response;
        }
    }

    /** The OCSP responder URLs of {@code leaf}'s Authority Information Access, overridden as configured. */
    List<String> responders(X509Certificate leaf) {
        List<String> responders = new ArrayList<>();
        byte[] extension = leaf.getExtensionValue(AUTHORITY_INFO_ACCESS);
        if (extension == null) {
            return responders;
        }
        try {
            byte[] value = new Der.Reader(extension).next().content();
            Der.Reader descriptions = new Der.Reader(value).next().children();
            while (descriptions.hasNext()) {
                Der.Reader description = descriptions.next().children();
                Der.Element method = description.next();
                Der.Element location = description.next();
                // uniformResourceIdentifier [6] IMPLICIT IA5String
                if (Arrays.equals(OCSP_ACCESS_METHOD, method.encoded()) && location.tag() == 0x86) {
                    String url = new String(location.content(), StandardCharsets.US_ASCII);
                    responders.add(responderOverrides.getOrDefault(url, url));
                }
            }
        } catch (IllegalArgumentException e) {
            LOG.debug("unreadable Authority Information Access in certificate '{}'", displayName(leaf), e);
        }
        return responders;
    }

    private static String displayName(X509Certificate leaf) {
        String cn = CertifiedKey.commonName(leaf.getSubjectX500Principal());
        return cn != null ? cn : leaf.getSubjectX500Principal().getName();
    }

    private static String reason(Exception e) {
        if (e instanceof HttpTimeoutException) {
            return "no answer within " + GoDurations.format(RESPONDER_TIMEOUT);
        }
        if (e instanceof ConnectException) {
            return "cannot connect" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        }
        return e.getMessage() == null ? "failed" : e.getMessage();
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}

package dev.gatehouse.core.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the stapler asks its responder again, and what it staples meanwhile, against OpenSSL's responder over
 * HTTP on 127.0.0.1 and a clock the test moves: Traefik's schedule (again once half the validity has passed) and
 * what a failure leaves (the last good response until its nextUpdate).
 */
class OcspStaplerTest {

    @TempDir
    Path dir;

    /** A clock the test sets. */
    private static final class MovableClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void asksAgainAtHalfTheValidityAndKeepsTheLastResponseUntilItsNextUpdate() throws Exception {
        MovableClock clock = new MovableClock();
        try (OcspTestCa ca = new OcspTestCa(dir); OcspStapler stapler = new OcspStapler(Map.of(), clock)) {
            String url = ca.serve(60);
            X509Certificate leaf = ca.issue("leaf", "ec", "authorityInfoAccess=OCSP;URI:" + url);
            ca.index(leaf, 'V');
            CertifiedKey served = new CertifiedKey(Pem.privateKey(Files.readString(dir.resolve("leaf.key"))),
                    List.of(leaf, ca.ca));

            stapler.track(List.of(served));
            stapler.checkNow(); // runs after the fetch that tracking queued
            assertEquals(1, ca.requests(), "fetched when the certificate is loaded");
            byte[] first = stapler.staple(leaf);
            assertNotNull(first);
            assertEquals(OcspMessages.CertStatus.GOOD, OcspMessages.check(first, leaf, ca.ca).status());

            clock.advance(Duration.ofMinutes(20));
            stapler.checkNow();
            assertEquals(1, ca.requests(), "not before half of the 60 minutes");

            clock.advance(Duration.ofMinutes(11));
            stapler.checkNow();
            assertEquals(2, ca.requests(), "again once half the validity has passed");

            ca.failing(true);
            clock.advance(Duration.ofMinutes(14));
            stapler.checkNow();
            assertEquals(3, ca.requests());
            assertNotNull(stapler.staple(leaf), "a failed fetch keeps the last good response");

            clock.advance(Duration.ofMinutes(20));
            assertNull(stapler.staple(leaf), "but not past its nextUpdate, when clients would reject it");
        }
    }

    @Test
    void aCertificateNoLongerServedIsForgottenADayLater() throws Exception {
        MovableClock clock = new MovableClock();
        try (OcspTestCa ca = new OcspTestCa(dir); OcspStapler stapler = new OcspStapler(Map.of(), clock)) {
            String url = ca.serve(60);
            X509Certificate leaf = ca.issue("leaf", "ec", "authorityInfoAccess=OCSP;URI:" + url);
            ca.index(leaf, 'V');
            CertifiedKey served = new CertifiedKey(Pem.privateKey(Files.readString(dir.resolve("leaf.key"))),
                    List.of(leaf, ca.ca));
            stapler.track(List.of(served));
            stapler.checkNow();
            byte[] staple = stapler.staple(leaf);
            assertNotNull(staple);

            stapler.track(List.of()); // a reload without it
            stapler.checkNow();
            assertArrayEquals(staple, stapler.staple(leaf), "a reload that drops it keeps its response a while");
            clock.advance(Duration.ofHours(23));
            stapler.checkNow();
            assertEquals(2, ca.requests(), "still kept up to date within the day");
            clock.advance(Duration.ofHours(2));
            stapler.checkNow();
            assertEquals(2, ca.requests(), "forgotten after a day");
            assertNull(stapler.staple(leaf));
        }
    }

    /** Certificates a resolver delivers are stapled too, as soon as they arrive (no reload). */
    @Test
    void aResolversCertificateIsFetchedWhenItArrives() throws Exception {
        try (OcspTestCa ca = new OcspTestCa(dir);
             TlsManager tls = new TlsManager(null, TlsEngine.of("conscrypt"), Map.of())) {
            String url = ca.serve(60);
            X509Certificate leaf = ca.issue("resolved", "ec", "authorityInfoAccess=OCSP;URI:" + url);
            ca.index(leaf, 'V');
            tls.issued("le", java.util.Set.of("resolved"), new CertifiedKey(
                    Pem.privateKey(Files.readString(dir.resolve("resolved.key"))), List.of(leaf, ca.ca)));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (tls.ocspStaple(leaf) == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertNotNull(tls.ocspStaple(leaf));
            assertEquals(1, ca.requests());
        }
    }

    /**
     * Hostile or mistaken inputs: an override that is not a URL (a scheme forgotten), and a responder answering 200
     * with something that is no OCSP response. Neither is stapled, the warning names the certificate and what went
     * wrong, and the certificate tracked beside them still gets its response.
     */
    @Test
    void aBadOverrideOrAMalformedAnswerIsNotStapledAndTheWarningSaysWhy() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(OcspStapler.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        HttpServer garbage = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        garbage.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = "<html>not OCSP</html>".getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        garbage.start();
        log.addHandler(capture);
        String garbageUrl = "http://127.0.0.1:" + garbage.getAddress().getPort() + "/";
        try (OcspTestCa ca = new OcspTestCa(dir);
             OcspStapler stapler = new OcspStapler(Map.of("http://ocsp.example.invalid/", "ocsp.example.com:80"))) {
            String url = ca.serve(60);
            X509Certificate unreachable = ca.issue("overridden", "ec",
                    "authorityInfoAccess=OCSP;URI:http://ocsp.example.invalid/");
            X509Certificate malformed = ca.issue("malformed", "ec", "authorityInfoAccess=OCSP;URI:" + garbageUrl);
            X509Certificate good = ca.issue("good", "ec", "authorityInfoAccess=OCSP;URI:" + url);
            ca.index(good, 'V');
            List<CertifiedKey> served = new java.util.ArrayList<>();
            for (X509Certificate leaf : List.of(unreachable, malformed, good)) {
                String name = CertifiedKey.commonName(leaf.getSubjectX500Principal());
                served.add(new CertifiedKey(Pem.privateKey(Files.readString(dir.resolve(name + ".key"))),
                        List.of(leaf, ca.ca)));
            }
            stapler.track(served);
            stapler.checkNow();

            assertNull(stapler.staple(unreachable));
            assertNull(stapler.staple(malformed));
            assertNotNull(stapler.staple(good), "the others do not stop it");
            assertTrue(warnings.stream().anyMatch(w -> w.contains("certificate 'overridden'")
                    && w.contains("ocsp.example.com:80")), String.valueOf(warnings));
            assertTrue(warnings.stream().anyMatch(w -> w.contains("certificate 'malformed'")
                    && w.contains(garbageUrl)), String.valueOf(warnings));
            assertTrue(warnings.stream().noneMatch(w -> w.contains("'good'")), String.valueOf(warnings));
        } finally {
            log.removeHandler(capture);
            garbage.stop(0);
        }
    }
}

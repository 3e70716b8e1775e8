package dev.gatehouse.plugins.acme;

import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.plugins.acme.dns.ChallengeRecord;
import dev.gatehouse.plugins.acme.dns.DnsProvider;
import dev.gatehouse.plugins.acme.dns.PropagationCheck;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DNS-01 for one resolver: publishes the TXT record through the configured provider, waits until it is visible
 * ({@link PropagationCheck}), and removes it once the CA has looked. Challenges of providers that work one at a
 * time (rfc2136 and exec, which replace or share the one {@code _acme-challenge} name of a wildcard and its apex)
 * are spaced by the provider's sequence interval within one order, as lego spaces them.
 */
final class DnsChallengeSolver {

    private static final Logger LOG = LoggerFactory.getLogger(DnsChallengeSolver.class);

    private final String resolverName;
    private final String providerName;
    private final DnsProvider provider;
    private final PropagationCheck propagation;
    private final boolean followCnames;
    private long lastCleanupNanos;
    private boolean solvedBefore;

    /**
     * @param followCnames publish where a CNAME of {@code _acme-challenge.<domain>} points, as lego does unless
     *        LEGO_DISABLE_CNAME_SUPPORT is true (Traefik's documented way to validate through another zone)
     */
    DnsChallengeSolver(String resolverName, String providerName, DnsProvider provider, PropagationCheck propagation,
            boolean followCnames) {
        this.followCnames = followCnames;
        this.resolverName = resolverName;
        this.providerName = providerName;
        this.provider = provider;
        this.propagation = propagation;
    }

    /** A new order starts: its first challenge does not wait for the previous order's. */
    void beginOrder() {
        solvedBefore = false;
    }

    /** A published record: closing it removes it. */
    interface Published extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Publishes the record for {@code domain} and returns once it is visible where the propagation settings
     * require; the caller then asks the CA to validate, and closes the result.
     */
    Published publish(String domain, String token, String keyAuthorization) throws Exception {
        Duration sequence = provider.timing().sequenceInterval();
        if (solvedBefore && !sequence.isZero()) {
            long waitNanos = lastCleanupNanos + sequence.toNanos() - System.nanoTime();
            if (waitNanos > 0) {
                LOG.info("ACME resolver {}: waiting {} s ({}_SEQUENCE_INTERVAL) before the next DNS-01 challenge",
                        resolverName, Duration.ofNanos(waitNanos).toSeconds(), prefix());
                Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            }
        }
        solvedBefore = true;
        ChallengeRecord record = ChallengeRecord.of(domain, token, keyAuthorization);
        if (followCnames) {
            String effective = propagation.followCnames(record.fqdn());
            if (!effective.equals(record.fqdn())) {
                LOG.info("ACME resolver {}: {} is a CNAME for {}: the DNS-01 record goes there", resolverName,
                        record.fqdn(), effective);
                record = record.at(effective);
            }
        }
        ChallengeRecord published = record;
        provider.present(published);
        Published cleanup = () -> {
            try {
                provider.cleanup(published);
            } catch (Exception e) {
                LOG.warn("ACME resolver {}: the DNS-01 record {} could not be removed through {}: {}", resolverName,
                        published.fqdn(), providerName, FailureReasons.of(e));
            } finally {
                lastCleanupNanos = System.nanoTime();
            }
        };
        try {
            LOG.debug("ACME resolver {}: waiting until {} TXT {} is visible", resolverName, published.fqdn(), published.value());
            propagation.await(published, provider.timing(), prefix() + "PROPAGATION_TIMEOUT");
        } catch (Exception e) {
            cleanup.close();
            throw e;
        }
        return cleanup;
    }

    private String prefix() {
        return providerName.toUpperCase(Locale.ROOT) + "_";
    }
}

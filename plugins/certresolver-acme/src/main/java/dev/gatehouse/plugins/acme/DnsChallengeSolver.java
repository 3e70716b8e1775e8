package dev.gatehouse.plugins.acme;

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
 * are spaced by the provider's sequence interval, as lego spaces them.
 */
final class DnsChallengeSolver {

    private static final Logger LOG = LoggerFactory.getLogger(DnsChallengeSolver.class);

    private final String resolverName;
    private final String providerName;
    private final DnsProvider provider;
    private final PropagationCheck propagation;
    private long lastCleanupNanos;
    private boolean solvedBefore;

    DnsChallengeSolver(String resolverName, String providerName, DnsProvider provider, PropagationCheck propagation) {
        this.resolverName = resolverName;
        this.providerName = providerName;
        this.provider = provider;
        this.propagation = propagation;
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
        provider.present(record);
        Published published = () -> {
            try {
                provider.cleanup(record);
            } catch (Exception e) {
                LOG.warn("ACME resolver {}: the DNS-01 record {} could not be removed through {}: {}", resolverName,
                        record.fqdn(), providerName, e.getMessage() == null ? e.toString() : e.getMessage());
            } finally {
                lastCleanupNanos = System.nanoTime();
            }
        };
        try {
            LOG.debug("ACME resolver {}: waiting until {} TXT {} is visible", resolverName, record.fqdn(), record.value());
            propagation.await(record, provider.timing(), prefix() + "PROPAGATION_TIMEOUT");
        } catch (Exception e) {
            published.close();
            throw e;
        }
        return published;
    }

    private String prefix() {
        return providerName.toUpperCase(Locale.ROOT) + "_";
    }
}

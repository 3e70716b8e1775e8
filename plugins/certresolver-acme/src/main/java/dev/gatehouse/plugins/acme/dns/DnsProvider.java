package dev.gatehouse.plugins.acme.dns;

import java.time.Duration;

/**
 * One way of publishing the DNS-01 TXT record, named as lego names it ({@code dnsChallenge.provider: rfc2136}).
 * A provider is one small class: it reads its environment variables (lego's names) when it is made, and
 * {@link #present} adds the record, {@link #cleanup} removes it. Waiting until the record is visible is not its
 * business ({@link PropagationCheck} does that, bounded by {@link #timing()}).
 *
 * <p>To add one of lego's providers: implement this interface, and register its name and constructor in
 * {@link DnsProviders}.
 */
public interface DnsProvider {

    /** Publishes {@code record} (its {@link ChallengeRecord#fqdn()} TXT {@link ChallengeRecord#value()}). */
    void present(ChallengeRecord record) throws Exception;

    /** Removes what {@link #present} published; called whether the challenge passed or not. */
    void cleanup(ChallengeRecord record) throws Exception;

    /** How long to wait for the record, how often to look, and how long to pause between two challenges. */
    Timing timing();

    /**
     * lego's {@code PROPAGATION_TIMEOUT} and {@code POLLING_INTERVAL}; {@code sequenceInterval} is
     * {@code SEQUENCE_INTERVAL} for providers that solve one challenge after another (rfc2136, exec: a wildcard and
     * its apex share one TXT name), else zero.
     */
    record Timing(Duration propagationTimeout, Duration pollingInterval, Duration sequenceInterval) {

        /** lego's defaults: 60 s, 2 s. */
        public static final Duration DEFAULT_PROPAGATION_TIMEOUT = Duration.ofSeconds(60);
        public static final Duration DEFAULT_POLLING_INTERVAL = Duration.ofSeconds(2);

        /** {@code PREFIX_PROPAGATION_TIMEOUT}, {@code PREFIX_POLLING_INTERVAL} and (when sequential) {@code PREFIX_SEQUENCE_INTERVAL}. */
        public static Timing read(LegoEnvironment env, String prefix, boolean sequential) {
            return read(env, prefix, sequential, DEFAULT_PROPAGATION_TIMEOUT);
        }

        static Timing read(LegoEnvironment env, String prefix, boolean sequential, Duration defaultTimeout) {
            return new Timing(env.seconds(prefix + "PROPAGATION_TIMEOUT", defaultTimeout),
                    env.seconds(prefix + "POLLING_INTERVAL", DEFAULT_POLLING_INTERVAL),
                    sequential ? env.seconds(prefix + "SEQUENCE_INTERVAL", DEFAULT_PROPAGATION_TIMEOUT) : Duration.ZERO);
        }
    }
}

package dev.gatehouse.api;

/**
 * A count that only goes up, kept by the gateway for an extension and exported by every metrics backend the gateway
 * has configured (the Prometheus scrape, OTLP, StatsD/Datadog, InfluxDB 2), next to the gateway's own metrics. Get
 * one from {@link GatewayEnvironment#counter}; it exists, and counting costs little, even when no backend is
 * configured.
 *
 * <p>Each combination of label values is one series. Values are given in the order of the label names the counter
 * was registered with. When the values are known in advance (a middleware's name), look the series up once with
 * {@link #series} and count on it: that allocates nothing per call.
 *
 * <pre>{@code
 * Counter refused = environment.counter("myplugin_refused", "Requests my middleware refused", "middleware", "reason");
 * refused.increment("api@file", "quota");                        // looks the series up each time
 *
 * Counter.Series fallbacks = environment.counter("myplugin_fallbacks", "Requests decided without the store",
 *         "middleware").series(context.middlewareName());       // once, when the middleware is created
 * fallbacks.increment();                                         // on the request path
 * }</pre>
 *
 * <p>A counter holds at most a thousand series (label combinations); values seen after that are counted in one
 * series whose every label value is {@code other}, and the gateway logs it once. Label values should therefore come
 * from configuration (a middleware's name), not from clients. Every method is thread-safe.
 *
 * @since API 0.2.2
 */
public interface Counter {

    /**
     * Adds one to the series of {@code labelValues}.
     *
     * @throws IllegalArgumentException naming the counter when the number of values is not the number of labels, or
     *     a value is null
     */
    void increment(String... labelValues);

    /**
     * Adds {@code amount} to the series of {@code labelValues}.
     *
     * @throws IllegalArgumentException naming the counter when {@code amount} is negative, the number of values is not
     *     the number of labels, or a value is null
     */
    void add(long amount, String... labelValues);

    /**
     * The series of {@code labelValues}, to count on without looking it up again; the same series each time for the
     * same values (the overflow series once the counter holds its thousand).
     *
     * @throws IllegalArgumentException naming the counter when the number of values is not the number of labels, or
     *     a value is null
     */
    Series series(String... labelValues);

    /** One series of a counter: one combination of label values. */
    interface Series {

        /** Adds one. */
        void increment();

        /**
         * Adds {@code amount}.
         *
         * @throws IllegalArgumentException when {@code amount} is negative
         */
        void add(long amount);
    }

    /**
     * A counter that counts nothing: what {@link GatewayEnvironment#counter} gives on a gateway older than API 0.2.2,
     * and a stand-in for tests.
     */
    Counter NONE = new Counter() {
        private final Series none = new Series() {
            @Override
            public void increment() {
            }

            @Override
            public void add(long amount) {
            }
        };

        @Override
        public void increment(String... labelValues) {
        }

        @Override
        public void add(long amount, String... labelValues) {
        }

        @Override
        public Series series(String... labelValues) {
            return none;
        }
    };
}

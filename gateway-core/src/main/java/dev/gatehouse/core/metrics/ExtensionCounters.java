package dev.gatehouse.core.metrics;

import dev.gatehouse.api.Counter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The counters extensions register through {@code GatewayEnvironment.counter} (API 0.2.2), kept once for the whole
 * gateway and read by every metrics backend: the Prometheus registry at each scrape, the pushed backends at each push
 * (through {@link GatewayGauges#extensionCounters()}). They exist whether or not a backend is configured.
 *
 * <p>On the request path, counting is a {@link LongAdder} add after a lookup of the series by its label values: the
 * value itself for one label, a small key wrapping the values' array for several (no string is built), nothing for
 * none. A bound {@link Counter.Series} skips the lookup.
 */
public final class ExtensionCounters {

    /** The most series (label combinations) one counter holds; later ones are counted in its overflow series. */
    public static final int MAX_SERIES = 1_000;
    /** Every label value of the overflow series. */
    public static final String OVERFLOW_VALUE = "other";
    static final int MAX_LABELS = 10;
    static final int MAX_NAME_LENGTH = 100;
    /** The first words of the gateway's own metric names: an extension's counter must not pass for one of them. */
    static final List<String> RESERVED_PREFIXES = List.of("entrypoint_", "router_", "service_", "config_",
            "open_connections", "tls_", "provider_", "plugin_");

    private static final Logger LOG = LoggerFactory.getLogger(ExtensionCounters.class);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    private static final Pattern LABEL = Pattern.compile("[a-z_][a-z0-9_]*");

    /** By name, in registration order; guarded by this. */
    private final Map<String, Registered> counters = new LinkedHashMap<>();
    /** Guarded by this. */
    private final List<Consumer<Registered>> listeners = new ArrayList<>();

    /** {@link #registerFor} without an owner: for the gateway's own code and tests. */
    public Counter register(String name, String help, String... labelNames) {
        return registerFor(null, name, help, labelNames);
    }

    /**
     * The counter {@code name}: registered now, or the one {@code owner} registered before with the same label names.
     *
     * @param owner who asks: the plugin's class loader, so that two plugins that chose the same name do not count
     *     into one counter unawares (the second is refused); null when unknown
     * @throws IllegalArgumentException naming the counter and what to change
     */
    public Counter registerFor(Object owner, String name, String help, String... labelNames) {
        checkName(name);
        List<String> labels = checkLabels(name, labelNames);
        Registered registered;
        List<Consumer<Registered>> toTell;
        synchronized (this) {
            registered = counters.get(name);
            if (registered != null) {
                if (registered.owner != owner) {
                    throw new IllegalArgumentException("counter '" + name + "' is already registered by another plugin:"
                            + " give this one a name of its own (start it with your plugin's word)");
                }
                if (!registered.labelNames.equals(labels)) {
                    throw new IllegalArgumentException("counter '" + name + "' is already registered with the labels "
                            + registered.labelNames + ", not " + labels + ": two extensions cannot share a name with "
                            + "different labels; give this one a name of its own (start it with your plugin's word)");
                }
                return registered;
            }
            registered = new Registered(owner, name, help == null || help.isBlank() ? name : help.strip(), labels);
            counters.put(name, registered);
            // Taken with the counter's insertion: a listener added meanwhile hears of it once, from either side.
            toTell = List.copyOf(listeners);
        }
        for (Consumer<Registered> listener : toTell) {
            listener.accept(registered);
        }
        return registered;
    }

    /** Every counter registered so far, in registration order. */
    public synchronized List<Registered> counters() {
        return List.copyOf(counters.values());
    }

    /**
     * Calls {@code listener} with every counter registered so far and then with each one registered later (on the
     * registering thread): for a backend that must declare each counter once (OTLP instruments).
     */
    public void whenRegistered(Consumer<Registered> listener) {
        List<Registered> existing;
        synchronized (this) {
            listeners.add(listener);
            existing = List.copyOf(counters.values());
        }
        existing.forEach(listener);
    }

    private static void checkName(String name) {
        if (name == null || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("counter name '" + name + "' is not valid: use lower-case words of letters"
                    + " and digits joined by '_', starting with a letter, at most " + MAX_NAME_LENGTH
                    + " characters (such as myplugin_refused)");
        }
        if (name.endsWith("_total")) {
            throw new IllegalArgumentException("counter name '" + name + "': leave out '_total', which the metrics "
                    + "backends add to every counter");
        }
        for (String reserved : RESERVED_PREFIXES) {
            if (name.startsWith(reserved)) {
                throw new IllegalArgumentException("counter name '" + name + "' starts like the gateway's own metrics ('"
                        + reserved + "'): start it with your plugin's own word");
            }
        }
    }

    private static List<String> checkLabels(String name, String[] labelNames) {
        String[] names = labelNames == null ? new String[0] : labelNames;
        if (names.length > MAX_LABELS) {
            throw new IllegalArgumentException("counter '" + name + "' has " + names.length + " labels; at most "
                    + MAX_LABELS + " are allowed");
        }
        HashSet<String> seen = new HashSet<>();
        for (String label : names) {
            if (label == null || !LABEL.matcher(label).matches() || label.startsWith("__")) {
                throw new IllegalArgumentException("counter '" + name + "': label name '" + label + "' is not valid:"
                        + " use lower-case letters, digits and '_', starting with a letter (not '__')");
            }
            if (!seen.add(label)) {
                throw new IllegalArgumentException("counter '" + name + "': label '" + label + "' is given twice");
            }
        }
        return List.of(names);
    }

    /** One registered counter: its name, help, label names and series. */
    public static final class Registered implements Counter {
        /** Who registered it ({@link #registerFor}); only the same owner gets it again. */
        private final Object owner;
        private final String name;
        private final String help;
        private final List<String> labelNames;
        /** The only series of a counter without labels; null otherwise. */
        private final CounterSeries unlabelled;
        /** By the value (one label) or a {@link LabelValues} (several). */
        private final ConcurrentHashMap<Object, CounterSeries> series = new ConcurrentHashMap<>();
        /** Created when the first series past {@link #MAX_SERIES} is asked for; guarded by this. */
        private volatile CounterSeries overflow;

        Registered(Object owner, String name, String help, List<String> labelNames) {
            this.owner = owner;
            this.name = name;
            this.help = help;
            this.labelNames = labelNames;
            this.unlabelled = labelNames.isEmpty() ? new CounterSeries(name, List.of()) : null;
        }

        /** Lower-case words joined by {@code _}, without {@code _total}. */
        public String name() {
            return name;
        }

        public String help() {
            return help;
        }

        public List<String> labelNames() {
            return labelNames;
        }

        /** Every series counted in so far (the overflow series last, once it exists). */
        public List<CounterSeries> series() {
            if (unlabelled != null) {
                return List.of(unlabelled);
            }
            List<CounterSeries> all = new ArrayList<>(series.values());
            CounterSeries past = overflow;
            if (past != null) {
                all.add(past);
            }
            return all;
        }

        @Override
        public void increment(String... labelValues) {
            lookup(labelValues).adder.increment();
        }

        @Override
        public void add(long amount, String... labelValues) {
            if (amount < 0) {   // before the lookup, which would keep a series for the refused call
                throw CounterSeries.negative(name, amount);
            }
            lookup(labelValues).adder.add(amount);
        }

        @Override
        public Counter.Series series(String... labelValues) {
            return lookup(labelValues);
        }

        private CounterSeries lookup(String[] values) {
            if (unlabelled != null && (values == null || values.length == 0)) {
                return unlabelled;
            }
            int given = values == null ? 0 : values.length;
            if (given != labelNames.size()) {
                throw new IllegalArgumentException("counter '" + name + "' has the labels " + labelNames + " and was "
                        + "given " + given + " value" + (given == 1 ? "" : "s") + ": give one value per label, in order");
            }
            Object key;
            if (given == 1) {
                key = values[0];
                if (key == null) {
                    throw nullValue(0);
                }
            } else {
                for (int i = 0; i < given; i++) {
                    if (values[i] == null) {
                        throw nullValue(i);
                    }
                }
                key = new LabelValues(values);
            }
            CounterSeries found = series.get(key);
            return found != null ? found : create(key, values);
        }

        private IllegalArgumentException nullValue(int index) {
            return new IllegalArgumentException("counter '" + name + "': the value of label '" + labelNames.get(index)
                    + "' is null; give a text (empty if there is none)");
        }

        /** A series seen for the first time: kept while there are fewer than {@link #MAX_SERIES}. */
        private synchronized CounterSeries create(Object key, String[] values) {
            CounterSeries found = series.get(key);
            if (found != null) {
                return found;
            }
            if (series.size() >= MAX_SERIES) {
                if (overflow == null) {
                    overflow = new CounterSeries(name, Collections.nCopies(labelNames.size(), OVERFLOW_VALUE));
                    LOG.warn("Counter '{}' has {} label combinations, the most one counter keeps; further new ones are"
                            + " counted with every label '{}'", name, MAX_SERIES, OVERFLOW_VALUE);
                }
                return overflow;
            }
            String[] copy = values.clone();   // the caller may reuse its array
            CounterSeries created = new CounterSeries(name, List.of(copy));
            series.put(key instanceof LabelValues ? new LabelValues(copy) : key, created);
            return created;
        }

        @Override
        public String toString() {
            return name + labelNames;
        }
    }

    /** One combination of label values and its count. */
    public static final class CounterSeries implements Counter.Series {
        private final String counterName;
        private final List<String> labelValues;
        private final LongAdder adder = new LongAdder();

        CounterSeries(String counterName, List<String> labelValues) {
            this.counterName = counterName;
            this.labelValues = labelValues;
        }

        /** In the order of the counter's label names. */
        public List<String> labelValues() {
            return labelValues;
        }

        /** The count so far. */
        public long value() {
            return adder.sum();
        }

        /** {@link #value()} as a double, for the meter libraries. */
        public double doubleValue() {
            return adder.sum();
        }

        @Override
        public void increment() {
            adder.increment();
        }

        @Override
        public void add(long amount) {
            if (amount < 0) {
                throw negative(counterName, amount);
            }
            adder.add(amount);
        }

        static IllegalArgumentException negative(String counterName, long amount) {
            return new IllegalArgumentException("counter '" + counterName + "' only goes up: cannot add " + amount);
        }
    }

    /** Several label values as a map key, compared by content, without building a string. */
    private static final class LabelValues {
        private final String[] values;
        private final int hash;

        LabelValues(String[] values) {
            this.values = values;
            this.hash = Arrays.hashCode(values);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof LabelValues that && Arrays.equals(values, that.values);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}

package dev.gatehouse.core.runtime;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Elements in name order, made once per build: sorting the names of 10,000 routers is cheaper than inserting them
 * one by one into a {@link TreeMap} (a tenth of a one-router change's build went to rebalancing such trees).
 *
 * <p>An instance remembers the order it last made, and gives it again while the keys are the same (a change to one
 * router's rule, the usual change to a large configuration): checking that every remembered key is still there
 * costs a lookup per key, and no sort.
 */
final class SortedKeys {

    /** The keys last asked about, in order. */
    private List<String> sorted = List.of();

    /**
     * The map's keys in their natural order. Not thread-safe: the configuration thread alone builds.
     */
    List<String> of(Map<String, ?> map) {
        if (sorted.size() == map.size() && map.keySet().containsAll(sorted)) {
            return sorted;
        }
        // Sorted as an Object[], as most of the JDK's own callers of this sort do (Collections.sort,
        // List.sort, streams): the JIT compiles the shared sort for the array class it has seen, and
        // a String[] here undid that compiled code on every change, to be compiled again (-XX:+PrintCompilation and
        // JFR's jdk.Deoptimization showed ComparableTimSort's merges compiled anew at each one-router change of
        // 10,000 routers).
        Object[] keys = map.keySet().toArray();
        Arrays.sort(keys);
        @SuppressWarnings("unchecked") // only the map's String keys are in it
        List<String> names = (List<String>) (List<?>) Collections.unmodifiableList(Arrays.asList(keys));
        sorted = names;
        return names;
    }

    /**
     * A mutable {@link TreeMap} of {@code values} by {@code keys}, built in linear time.
     *
     * @param keys sorted in their natural order, without duplicates
     * @param values as many as keys, in the same order
     */
    static <V> TreeMap<String, V> treeMap(List<String> keys, List<V> values) {
        if (keys.size() != values.size()) {
            throw new IllegalArgumentException(keys.size() + " keys for " + values.size() + " values");
        }
        // TreeMap's constructor from a sorted map builds the tree from its entries in order, without comparing keys.
        return new TreeMap<>(new SortedView<>(keys, values));
    }

    /** Just enough of a sorted map for {@code new TreeMap<>(SortedMap)}: its order, size and entries. */
    private static final class SortedView<V> extends AbstractMap<String, V> implements SortedMap<String, V> {
        private final List<String> keys;
        private final List<V> values;

        SortedView(List<String> keys, List<V> values) {
            this.keys = keys;
            this.values = values;
        }

        @Override
        public Comparator<? super String> comparator() {
            return null;   // natural order
        }

        @Override
        public Set<Map.Entry<String, V>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Map.Entry<String, V>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < keys.size();
                        }

                        @Override
                        public Map.Entry<String, V> next() {
                            if (!hasNext()) {
                                throw new java.util.NoSuchElementException();
                            }
                            int at = next++;
                            return new AbstractMap.SimpleImmutableEntry<>(keys.get(at), values.get(at));
                        }
                    };
                }

                @Override
                public int size() {
                    return keys.size();
                }
            };
        }

        @Override
        public SortedMap<String, V> subMap(String fromKey, String toKey) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SortedMap<String, V> headMap(String toKey) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SortedMap<String, V> tailMap(String fromKey) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String firstKey() {
            return keys.get(0);
        }

        @Override
        public String lastKey() {
            return keys.get(keys.size() - 1);
        }
    }
}

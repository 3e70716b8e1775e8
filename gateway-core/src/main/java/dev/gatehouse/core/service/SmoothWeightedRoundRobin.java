package dev.gatehouse.core.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Smooth weighted round robin, as nginx does it: with weights 5, 1, 1 the order is a a b a c a a, never
 * a a a a a b c. The whole cycle is computed once, when the configuration is built, so picking is one
 * atomic increment and an array read, without locks or allocation.
 *
 * @param <T> what is picked
 */
public final class SmoothWeightedRoundRobin<T> {

    /** Past this many slots per cycle the weights are scaled down; the order stays smooth. */
    private static final int MAX_CYCLE = 4096;

    private final Object[] cycle;
    private final AtomicLong next = new AtomicLong();

    /**
     * @param items the candidates
     * @param weights their weights, same order; 0 or less leaves an item out
     */
    public SmoothWeightedRoundRobin(List<T> items, List<Integer> weights) {
        if (items.size() != weights.size()) {
            throw new IllegalArgumentException("items and weights differ in size");
        }
        int[] w = scaledWeights(weights);
        List<Object> order = new ArrayList<>();
        long[] current = new long[w.length];
        long total = 0;
        for (int weight : w) {
            total += weight;
        }
        for (long slot = 0; slot < total; slot++) {
            int best = -1;
            for (int i = 0; i < w.length; i++) {
                if (w[i] <= 0) {
                    continue;
                }
                current[i] += w[i];
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            order.add(items.get(best));
        }
        cycle = order.toArray();
    }

    private static int[] scaledWeights(List<Integer> weights) {
        int[] w = new int[weights.size()];
        long total = 0;
        int gcd = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.max(0, weights.get(i) == null ? 1 : weights.get(i));
            total += w[i];
            gcd = gcd(gcd, w[i]);
        }
        if (gcd > 1) {
            total = 0;
            for (int i = 0; i < w.length; i++) {
                w[i] /= gcd;
                total += w[i];
            }
        }
        if (total > MAX_CYCLE) {
            double scale = (double) MAX_CYCLE / total;
            for (int i = 0; i < w.length; i++) {
                if (w[i] > 0) {
                    w[i] = Math.max(1, (int) Math.round(w[i] * scale));
                }
            }
        }
        return w;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** True when no item has a positive weight: {@link #next()} would have nothing to give. */
    public boolean isEmpty() {
        return cycle.length == 0;
    }

    /** The number of slots of one cycle. */
    public int size() {
        return cycle.length;
    }

    /** The next item of the cycle, or null when empty. Thread-safe. */
    @SuppressWarnings("unchecked")
    public T next() {
        if (cycle.length == 0) {
            return null;
        }
        return (T) cycle[(int) Math.floorMod(next.getAndIncrement(), (long) cycle.length)];
    }
}

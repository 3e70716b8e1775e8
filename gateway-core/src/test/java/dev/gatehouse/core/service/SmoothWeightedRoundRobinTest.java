package dev.gatehouse.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmoothWeightedRoundRobinTest {

    private static String picks(String weights, int count) {
        List<Integer> w = Arrays.stream(weights.split(",")).map(Integer::parseInt).toList();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < w.size(); i++) {
            names.add(String.valueOf((char) ('a' + i)));
        }
        SmoothWeightedRoundRobin<String> balancer = new SmoothWeightedRoundRobin<>(names, w);
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < count; i++) {
            order.append(balancer.next());
        }
        return order.toString();
    }

    @ParameterizedTest(name = "weights {0}")
    @CsvSource(delimiter = '|', textBlock = """
            1,1     | 6  | ababab
            5,1,1   | 7  | aabacaa
            3,1     | 8  | aabaaaba
            2,2     | 4  | abab
            0,1     | 3  | bbb
            1,0,1   | 4  | acac
            """)
    void spreadsPicksSmoothlyByWeight(String weights, int count, String expected) {
        // nginx's documented order for 5,1,1 is a a b a c a a: never five a's in a row.
        assertEquals(expected, picks(weights, count));
    }

    @Test
    void largeWeightsKeepTheirProportions() {
        String order = picks("700,300", 1000);
        Map<Character, Long> counts = order.chars().mapToObj(c -> (char) c)
                .collect(Collectors.groupingBy(c -> c, Collectors.counting()));
        assertEquals(700L, counts.get('a'));
        assertEquals(300L, counts.get('b'));
    }

    @Test
    void weightsBeyondTheCycleLimitAreScaledNotDropped() {
        String order = picks("100000,1", 4098);
        Map<Character, Long> counts = new HashMap<>();
        order.chars().forEach(c -> counts.merge((char) c, 1L, Long::sum));
        assertTrue(counts.getOrDefault('b', 0L) >= 1, "the light server still gets requests");
        assertTrue(counts.get('a') > 4000, "the heavy one gets almost all");
    }

    @Test
    void noPositiveWeightMeansNothingToPick() {
        SmoothWeightedRoundRobin<String> balancer = new SmoothWeightedRoundRobin<>(List.of("a", "b"), List.of(0, 0));
        assertTrue(balancer.isEmpty());
        assertNull(balancer.next());
        assertTrue(new SmoothWeightedRoundRobin<String>(List.of(), List.of()).isEmpty());
    }
}

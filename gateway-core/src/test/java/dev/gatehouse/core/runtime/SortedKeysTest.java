package dev.gatehouse.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The name-ordered maps of a build are the TreeMaps they replace: same order, same lookups, still mutable. */
class SortedKeysTest {

    @Test
    void aTreeMapBuiltFromSortedKeysIsTheTreeMapOfTheEntries() {
        Map<String, Integer> entries = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            entries.put("r" + i + (i % 3 == 0 ? "@docker" : "@file"), i);
        }
        List<String> keys = SortedKeys.of(entries);
        TreeMap<String, Integer> built = SortedKeys.treeMap(keys, keys.stream().map(entries::get).toList());
        TreeMap<String, Integer> expected = new TreeMap<>(entries);
        assertEquals(List.copyOf(expected.keySet()), keys);
        assertEquals(expected, built);
        assertEquals(List.copyOf(expected.entrySet()), List.copyOf(built.entrySet()));
        assertEquals(expected.get("r500@file"), built.get("r500@file"));
        assertEquals(expected.headMap("r5").size(), built.headMap("r5").size());
        built.computeIfAbsent("a-late@file", k -> -1);
        assertEquals("a-late@file", built.firstKey());
        assertEquals(SortedKeys.treeMap(List.of(), List.of()), new TreeMap<>());
    }
}

package dev.gatehouse.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.core.config.PluginsConfig;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PluginSelectionTest {

    private static List<String> ids(String list) {
        return list == null ? null : Arrays.asList(list.split(" "));
    }

    @ParameterizedTest(name = "enabled [{0}], disabled [{1}]: {2} -> {3}")
    @CsvSource(nullValues = "-", value = {
            "-,             -,       any,     -",                                 // nothing configured: every plugin loads
            "a b,           -,       a,       -",
            "a b,           -,       c,       not listed in plugins.enabled",
            "-,             c,       c,       listed in plugins.disabled",
            "a c,           c,       c,       listed in plugins.disabled",         // the deny list wins
            "' a ',         ' b',    a,       -",                                 // ids are trimmed
    })
    void decidesFromTheAllowAndDenyLists(String enabled, String disabled, String id, String reason) {
        PluginSelection selection = PluginSelection.of(new PluginsConfig(null, ids(enabled), ids(disabled)));
        assertEquals(reason, selection.reasonDisabled(id));
    }
}

package dev.gatehouse.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared mapper on its own, as the dynamic-configuration binder will use it. */
class ConfigMappersTest {

    enum Strategy { WRR, P2C }

    record Options(List<Integer> ports, Duration interval, Boolean enabled, Strategy strategy) {
    }

    private final ObjectMapper mapper = ConfigMappers.strictMapper();

    @Test
    void coercesStringsAsLabelsAndFlagsWriteThem() throws Exception {
        Options o = mapper.readValue(
                "{\"PORTS\": \"80, 443\", \"interval\": \"1m30s\", \"Enabled\": \"true\", \"strategy\": \"p2c\"}",
                Options.class);
        assertEquals(new Options(List.of(80, 443), Duration.ofSeconds(90), true, Strategy.P2C), o);
    }

    @Test
    void realListsAndNumericDurationsBindToo() throws Exception {
        Options o = mapper.readValue("{\"ports\": [1, 2], \"interval\": 5}", Options.class);
        assertEquals(new Options(List.of(1, 2), Duration.ofSeconds(5), null, null), o);
    }

    @Test
    void unknownKeysFail() {
        assertThrows(UnrecognizedPropertyException.class, () -> mapper.readValue("{\"port\": 1}", Options.class));
    }
}

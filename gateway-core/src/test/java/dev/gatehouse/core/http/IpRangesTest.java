package dev.gatehouse.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** trustedIPs as a set; the address arithmetic itself is gateway-api's IpBlockTest. */
class IpRangesTest {

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1,10.0.0.0/8       | 10.0.0.9         | true
            127.0.0.1,10.0.0.0/8       | 127.0.0.1        | true
            127.0.0.1,10.0.0.0/8       | 192.168.0.1      | false
            ::1, 10.0.0.0/8            | ::ffff:10.1.2.3  | true
            ::1, 10.0.0.0/8            | ::1              | true
            """)
    void containsWhatAnyEntryContains(String ranges, String address, boolean expected) throws Exception {
        assertEquals(expected, IpRanges.parse(Arrays.asList(ranges.split(","))).contains(InetAddress.getByName(address)));
    }

    @Test
    void noneContainsNothing() throws Exception {
        assertTrue(IpRanges.none().isEmpty());
        assertEquals(false, IpRanges.none().contains(InetAddress.getByName("127.0.0.1")));
        assertEquals(false, IpRanges.parse(List.of("10.0.0.0/8")).contains((InetAddress) null));
    }

    @Test
    void aBadEntryIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IpRanges.parse(List.of("10.0.0.0/8", "example.com")));
        assertTrue(e.getMessage().contains("'example.com'"), e.getMessage());
    }
}

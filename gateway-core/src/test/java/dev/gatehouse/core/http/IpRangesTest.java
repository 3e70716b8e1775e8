package dev.gatehouse.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpRangesTest {

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1              | 127.0.0.1        | true
            127.0.0.1              | 127.0.0.2        | false
            10.0.0.0/8             | 10.255.3.4       | true
            10.0.0.0/8             | 11.0.0.1         | false
            192.168.1.0/25         | 192.168.1.127    | true
            192.168.1.0/25         | 192.168.1.128    | false
            0.0.0.0/0              | 8.8.8.8          | true
            ::1                    | ::1              | true
            2001:db8::/32          | 2001:db8:1::5    | true
            2001:db8::/32          | 2001:db9::5      | false
            10.0.0.0/8             | ::ffff:10.1.2.3  | true
            10.0.0.0/8             | ::1              | false
            127.0.0.1,10.0.0.0/8   | 10.0.0.9         | true
            """)
    void matchesAddressesAndCidrs(String ranges, String address, boolean expected) throws Exception {
        IpRanges parsed = IpRanges.parse(Arrays.asList(ranges.split(",")));
        assertEquals(expected, parsed.contains(InetAddress.getByName(address)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "10.0.0.0/33", "10.0.0/8", "256.1.1.1", "::1/129", "10.0.0.1/x", ""})
    void rejectsWhatIsNotAnAddressOrCidrByName(String entry) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpRanges.parse(List.of(entry)));
        assertTrue(e.getMessage().contains("'" + entry + "'"), e.getMessage());
    }
}

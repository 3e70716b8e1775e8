package dev.gatehouse.api.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpBlockTest {

    /** block | address | expected: what ClientIP, ipAllowList and trustedIPs decide for a client. */
    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource(delimiterString = " | ", textBlock = """
            192.168.1.0/24   | 192.168.1.77     | true
            192.168.1.0/24   | 192.168.2.1      | false
            192.168.1.0/25   | 192.168.1.127    | true
            192.168.1.0/25   | 192.168.1.128    | false
            10.76.105.11     | 10.76.105.11     | true
            10.76.105.11     | 10.76.105.12     | false
            172.16.0.0/12    | 172.31.255.255   | true
            172.16.0.0/12    | 172.32.0.0       | false
            10.0.0.0/0       | 203.0.113.9      | true
            10.1.2.3/8       | 10.200.0.1       | true
            fe80::/10        | fe80::1          | true
            fe80::/10        | febf::1          | true
            fe80::/10        | fec0::1          | false
            2001:db8::/32    | 2001:db8:1::5    | true
            2001:db8::/32    | 10.0.0.1         | false
            10.0.0.0/8       | ::1              | false
            ::1              | ::1              | true
            """)
    void containsAddresses(String block, String address, boolean expected) throws Exception {
        assertEquals(expected, IpBlock.parse(block).contains(InetAddress.getByName(address)));
    }

    @Test
    void anIpv4BlockContainsTheMappedFormADualStackSocketReports() {
        byte[] mapped = IpBlock.address("::ffff:10.0.0.1");
        assertEquals(16, mapped.length, "kept as Go keeps it, 16 bytes");
        assertTrue(IpBlock.parse("10.0.0.0/8").contains(mapped));
        assertEquals(false, IpBlock.parse("11.0.0.0/8").contains(mapped));
        assertEquals(IpBlock.parse("10.0.0.0/8"), IpBlock.parse("::ffff:10.0.0.0/104"), "a mapped block is IPv4");
        assertTrue(IpBlock.parse("::ffff:127.0.0.1").contains(new byte[] {127, 0, 0, 1}));
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "10.0.0.0/33", "10.0.0/8", "256.1.1.1", "010.0.0.1", "::1/129",
            "10.0.0.1/x", "10.0.0.0/08", "fe80::1%eth0", ""})
    void refusesWhatIsNotAnAddressOrCidrNamingIt(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpBlock.parse(text));
        assertTrue(e.getMessage().startsWith("'" + text + "' is not"), e.getMessage());
        if (!text.contains("/")) {
            assertNull(IpBlock.address(text), "a request value that is no IP literal is no address, not an error");
        }
    }

    @Test
    void hostBitsAreClearedAndTheBlockPrintsAsCidr() {
        IpBlock block = IpBlock.parse(" 10.1.2.3/8 ");
        assertArrayEquals(new byte[] {10, 0, 0, 0}, block.network());
        assertEquals(8, block.prefixLength());
        assertEquals("10.0.0.0/8", block.toString());
        assertEquals(IpBlock.parse("10.0.0.0/8"), block);
        assertEquals("0:0:0:0:0:0:0:1/128", IpBlock.parse("::1").toString());
    }
}

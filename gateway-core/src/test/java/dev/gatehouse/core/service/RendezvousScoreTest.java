package dev.gatehouse.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The hrw score is Traefik's: 64-bit FNV-1a of IP and URL (the published test vectors), weighted. */
class RendezvousScoreTest {

    @Test
    void theHashIsFnv1a64() {
        assertEquals(0xcbf29ce484222325L, RendezvousScore.hashKey(""));
        assertEquals(0xaf63dc4c8601ec8cL, RendezvousScore.hashKey("a"));
        assertEquals(0x85944171f73967e8L, RendezvousScore.hashKey("foobar"));
    }

    @Test
    void theKeyAndTheServerAreHashedAsOneString() {
        // Traefik hashes src + name: the score of ("foo", "bar") is the score of the hash of "foobar".
        double split = RendezvousScore.score(RendezvousScore.hashKey("foo"), RendezvousScore.serverBytes("bar"), 1);
        long whole = 0x85944171f73967e8L;
        double fraction = (((whole >>> 1) | (whole & 1)) * 2.0) / 0x1.0p64;
        assertEquals(1.0 / -Math.log(fraction), split, 1e-12);
    }

    @Test
    void ipv6ClientsAreSpelledAsGoSpellsThem() throws Exception {
        for (String[] c : new String[][] {
                {"::1", "::1"}, {"::", "::"}, {"2001:db8::1", "2001:db8::1"}, {"2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"},
                {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"}, {"2001:0:0:1:0:0:1:1", "2001::1:0:0:1:1"},
                {"fe80:0:0:0:0:0:0:0", "fe80::"}, {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"}, {"1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8"}}) {
            java.net.Inet6Address address = (java.net.Inet6Address) java.net.InetAddress.getByName(c[0]);
            assertEquals(c[1], RendezvousScore.goSpelling(address), c[0]);
        }
    }

    @Test
    void aClientAddressHashesAsItsGoSpelling() throws Exception {
        for (String[] c : new String[][] {
                {"0.0.0.0", "0.0.0.0"}, {"10.0.0.1", "10.0.0.1"}, {"127.0.0.1", "127.0.0.1"}, {"192.168.100.9", "192.168.100.9"},
                {"255.255.255.255", "255.255.255.255"}, {"::ffff:10.1.2.3", "10.1.2.3"}, {"2001:db8:0:0:0:0:0:1", "2001:db8::1"}}) {
            assertEquals(RendezvousScore.hashKey(c[1]), RendezvousScore.addressHash(java.net.InetAddress.getByName(c[0])), c[0]);
        }
    }

    @Test
    void aKeyIsHashedAsItsUtf8Bytes() {
        long expected = 0xcbf29ce484222325L;
        for (byte b : "h\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            expected = (expected ^ (b & 0xff)) * 0x100000001b3L;
        }
        assertEquals(expected, RendezvousScore.hashKey("h\u00e9"));
    }

    @Test
    void weightMultipliesTheScore() {
        long key = RendezvousScore.hashKey("10.0.0.1");
        byte[] server = RendezvousScore.serverBytes("http://10.0.0.5:8080");
        double one = RendezvousScore.score(key, server, 1);
        assertTrue(one > 0);
        assertEquals(4 * one, RendezvousScore.score(key, server, 4), 1e-12);
    }
}

package dev.gatehouse.api.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IP address or CIDR block written in configuration ({@code ClientIP(...)}, {@code ipAllowList.sourceRange},
 * {@code forwardedHeaders.trustedIPs}), read the way Traefik's Go code reads it, and never through DNS.
 *
 * <ul>
 *   <li>IPv4 is dotted decimal without leading zeros ({@code 010.0.0.1} is refused, as by Go's
 *       {@code net.ParseIP}, since other tools read it as octal); IPv6 is any literal form without a zone.</li>
 *   <li>A single address is a block of full length; host bits of a CIDR are ignored ({@code 10.1.2.3/8} is
 *       {@code 10.0.0.0/8}), as with Go's {@code net.ParseCIDR}.</li>
 *   <li>An IPv4 block contains the IPv4-mapped IPv6 form of its addresses ({@code ::ffff:10.0.0.1}), which is
 *       how a dual-stack socket reports an IPv4 client, and a block written in that form is an IPv4 block;
 *       otherwise IPv4 and IPv6 never match each other.</li>
 * </ul>
 *
 * <p>Parse once at configuration time; {@link #contains(byte[])} allocates nothing and can run on every request:
 * <pre>{@code
 * IpBlock office = IpBlock.parse("192.168.1.0/24");        // when the configuration is read
 * byte[] client = IpBlock.address(request.getHeaders().get("X-Real-Ip"));   // null: not an IP literal
 * if (client != null && office.contains(client)) { ... }
 * }</pre>
 */
public final class IpBlock {

    private final byte[] network;
    private final int prefixLength;

    private IpBlock(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * Reads an address ({@code 10.0.0.1}, {@code ::1}) or a CIDR block ({@code 10.0.0.0/8}, {@code fe80::/10}).
     *
     * @param text the configured text; surrounding white space is ignored
     * @return the block
     * @throws IllegalArgumentException naming {@code text} and what a valid one looks like
     */
    public static IpBlock parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = address.indexOf(':') >= 0 ? ipv6(address, text) : ipv4(address, text);
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            String bits = s.substring(slash + 1);
            if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (bits.length() > 1 && bits.charAt(0) == '0') || Integer.parseInt(bits) > prefix) {
                throw new IllegalArgumentException("'" + text + "' is not a valid CIDR: the prefix length must be 0 to "
                        + prefix);
            }
            prefix = Integer.parseInt(bits);
        }
        if (bytes.length == 16 && prefix >= 96 && isMappedIpv4(bytes)) {
            // ::ffff:10.0.0.0/104 is 10.0.0.0/8, as Go's IPNet.Contains sees it.
            bytes = Arrays.copyOfRange(bytes, 12, 16);
            prefix -= 96;
        }
        return new IpBlock(masked(bytes, prefix), prefix);
    }

    /**
     * The bytes of an IP literal as {@link #parse} reads it (no CIDR), or null when {@code text} is not one: for
     * addresses taken from requests ({@code X-Forwarded-For} entries, {@code X-Real-Ip}), where a bad value is
     * not an error but no address. Never a DNS lookup.
     *
     * @param text the text, may be null
     * @return 4 or 16 bytes, or null
     */
    public static byte[] address(String text) {
        if (text == null || text.isEmpty() || text.indexOf('/') >= 0) {
            return null;
        }
        try {
            String s = text.strip();
            return s.indexOf(':') >= 0 ? ipv6(s, text) : ipv4(s, text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * @param address 4 or 16 bytes, as from {@link InetAddress#getAddress()} or {@link #address(String)}
     * @return whether the address lies in this block
     */
    public boolean contains(byte[] address) {
        if (address.length == network.length) {
            return matches(address, 0);
        }
        // An IPv4 client seen as ::ffff:a.b.c.d on a dual-stack socket is still that IPv4 client.
        return network.length == 4 && address.length == 16 && isMappedIpv4(address) && matches(address, 12);
    }

    /**
     * @param address an address, may be null
     * @return whether it lies in this block (false for null)
     */
    public boolean contains(InetAddress address) {
        return address != null && contains(address.getAddress());
    }

    private boolean matches(byte[] address, int offset) {
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (address[offset + i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (address[offset + full] & mask) == (network[full] & mask);
    }

    /** @return the first address of the block (host bits cleared): 4 or 16 bytes, a copy */
    public byte[] network() {
        return network.clone();
    }

    /** @return the number of leading bits that an address must share with {@link #network()} */
    public int prefixLength() {
        return prefixLength;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IpBlock block && block.prefixLength == prefixLength
                && Arrays.equals(block.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    /** @return the block in CIDR notation, such as {@code 10.0.0.0/8} or {@code fe80:0:0:0:0:0:0:0/10} */
    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);   // 4 or 16 bytes cannot fail
        }
    }

    private static boolean isMappedIpv4(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xFF && address[11] == (byte) 0xFF;
    }

    private static byte[] masked(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int bit = prefix; bit < out.length * 8; bit++) {
            out[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return out;
    }

    private static byte[] ipv4(String address, String text) {
        String[] parts = address.split("\\.", -1);
        if (parts.length != 4) {
            throw invalid(text);
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')
                    || !p.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(p) > 255) {
                throw invalid(text);
            }
            bytes[i] = (byte) Integer.parseInt(p);
        }
        return bytes;
    }

    private static byte[] ipv6(String address, String text) {
        // Only hex digits, ':' and '.' reach InetAddress, and with a ':' it can only be a literal: no lookup.
        if (!address.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
            throw invalid(text);
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            if (bytes.length == 4) {
                // InetAddress turns ::ffff:a.b.c.d into 4 bytes; keep Go's view of it, a 16-byte mapped address.
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xFF;
                mapped[11] = (byte) 0xFF;
                System.arraycopy(bytes, 0, mapped, 12, 4);
                return mapped;
            }
            return bytes;
        } catch (UnknownHostException e) {
            throw invalid(text);
        }
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block (such as 10.0.0.1, "
                + "192.168.1.0/24, ::1 or fe80::/10)");
    }
}

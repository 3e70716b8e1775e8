package dev.gatehouse.core.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of IP addresses and CIDR ranges ({@code 10.0.0.0/8}, {@code ::1}, {@code 2001:db8::/32}),
 * parsed once and tested without allocation.
 */
public final class IpRanges {

    private static final IpRanges NONE = new IpRanges(List.of());

    private final byte[][] networks;
    private final int[] prefixLengths;

    private IpRanges(List<Object[]> ranges) {
        networks = new byte[ranges.size()][];
        prefixLengths = new int[ranges.size()];
        for (int i = 0; i < ranges.size(); i++) {
            networks[i] = (byte[]) ranges.get(i)[0];
            prefixLengths[i] = (int) ranges.get(i)[1];
        }
    }

    public static IpRanges none() {
        return NONE;
    }

    /**
     * Parses each entry; an entry that is not an IP literal or CIDR is an error naming it (host names are
     * refused: they would need a DNS lookup).
     */
    public static IpRanges parse(List<String> entries) {
        List<Object[]> ranges = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.strip();
            int slash = entry.indexOf('/');
            String address = slash < 0 ? entry : entry.substring(0, slash);
            byte[] bytes = literal(address);
            if (bytes == null) {
                throw new IllegalArgumentException("'" + raw + "' is not an IP address or CIDR range");
            }
            int prefix = bytes.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bytes.length * 8) {
                    throw new IllegalArgumentException("'" + raw + "' has an invalid prefix length");
                }
            }
            ranges.add(new Object[] {mask(bytes, prefix), prefix});
        }
        return new IpRanges(ranges);
    }

    /** The bytes of an IPv4 or IPv6 literal, or null if {@code text} is not one. Never resolves names. */
    public static byte[] literal(String text) {
        if (text.isEmpty()) {
            return null;
        }
        String plain = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        boolean ipv6 = plain.indexOf(':') >= 0;
        if (!ipv6) {
            String[] parts = plain.split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            for (String part : parts) {
                if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                        || Integer.parseInt(part) > 255) {
                    return null;
                }
            }
        } else if (!plain.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%')) {
            return null;
        }
        try {
            return InetAddress.getByName(plain).getAddress();   // a literal: no lookup happens
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public boolean isEmpty() {
        return networks.length == 0;
    }

    public boolean contains(InetAddress address) {
        return address != null && contains(address.getAddress());
    }

    public boolean contains(byte[] address) {
        for (int i = 0; i < networks.length; i++) {
            if (matches(networks[i], prefixLengths[i], address)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(byte[] network, int prefix, byte[] address) {
        if (network.length != address.length) {
            // An IPv4 client seen as ::ffff:a.b.c.d on a dual-stack socket still matches an IPv4 range.
            if (network.length == 4 && address.length == 16 && isMappedIpv4(address)) {
                byte[] v4 = new byte[4];
                System.arraycopy(address, 12, v4, 0, 4);
                return matches(network, prefix, v4);
            }
            return false;
        }
        int fullBytes = prefix / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (network[i] != address[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (network[fullBytes] & mask) == (address[fullBytes] & mask);
    }

    private static boolean isMappedIpv4(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xFF && address[11] == (byte) 0xFF;
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] masked = bytes.clone();
        for (int bit = prefix; bit < masked.length * 8; bit++) {
            masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return masked;
    }
}

package dev.gatehouse.plugins.middlewares.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP address or CIDR block from configuration (sourceRange, excludedIPs), parsed without ever consulting DNS. IPv4 is dotted
 * decimal with no leading zeros (as Go's {@code net.ParseIP} requires); IPv6 is any literal form, without a
 * zone. A single address is a block of full length. Host bits in a CIDR are ignored ({@code 10.1.2.3/8} is
 * {@code 10.0.0.0/8}), as with Go's {@code net.ParseCIDR}. An IPv4 block never contains an IPv6 address.
 */
public record IpBlock(byte[] network, int prefix) {

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
        return new IpBlock(bytes, prefix);
    }

    /** Whether the address (4 or 16 bytes) lies in this block. */
    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (address[full] & mask) == (network[full] & mask);
    }

    /** The address's bytes, or null when {@code text} is not an IP literal (never a DNS lookup). */
    public static byte[] address(String text) {
        if (text == null || text.isEmpty() || text.indexOf('/') >= 0) {
            return null;
        }
        try {
            IpBlock block = parse(text);
            return block.network();
        } catch (IllegalArgumentException e) {
            return null;
        }
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
            if (bytes.length == 4 && !address.contains(".")) {
                throw invalid(text);
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

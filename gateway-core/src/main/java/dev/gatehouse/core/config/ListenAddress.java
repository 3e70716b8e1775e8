package dev.gatehouse.core.config;

import java.util.Locale;

/**
 * Where an entry point listens: an entry point's {@code address} parsed.
 *
 * @param host the interface's host name or IP literal (IPv6 without brackets); null for all interfaces
 * @param port 0 to 65535; 0 asks the system for a free port
 * @param udp whether the entry point receives UDP datagrams ({@code :53/udp}) rather than TCP connections
 */
public record ListenAddress(String host, int port, boolean udp) {

    /** A TCP address. */
    public ListenAddress(String host, int port) {
        this(host, port, false);
    }

    /**
     * Parses {@code host:port}, {@code :port} or {@code [ipv6]:port}, optionally followed by
     * {@code /tcp} or {@code /udp} as Traefik allows (no suffix is TCP).
     *
     * @throws IllegalArgumentException naming the entry point on a missing or malformed address
     */
    public static ListenAddress parse(String entryPoint, String address) {
        String where = "entry point '" + entryPoint + "'";
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException(where + " has no address (expected e.g. address: \":8000\")");
        }
        String a = address.trim();
        int slash = a.lastIndexOf('/');
        boolean udp = false;
        if (slash >= 0) {
            String protocol = a.substring(slash + 1).toLowerCase(Locale.ROOT);
            udp = protocol.equals("udp");
            if (!udp && !protocol.equals("tcp")) {
                throw bad(where, address, "unknown protocol '" + a.substring(slash + 1) + "' (known: tcp, udp)");
            }
            a = a.substring(0, slash);
        }
        String host;
        String port;
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            if (close < 0 || close + 1 >= a.length() || a.charAt(close + 1) != ':') {
                throw bad(where, address, "expected [ipv6]:port");
            }
            host = a.substring(1, close);
            port = a.substring(close + 2);
            if (host.isEmpty()) {
                throw bad(where, address, "empty IPv6 address");
            }
        } else {
            int colon = a.lastIndexOf(':');
            if (colon < 0) {
                throw bad(where, address, "missing ':port'");
            }
            host = a.substring(0, colon);
            port = a.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw bad(where, address, "write an IPv6 address in brackets, e.g. [::1]:8000");
            }
            if (host.isEmpty()) {
                host = null;
            }
        }
        if (port.isEmpty() || !port.chars().allMatch(Character::isDigit) || port.length() > 5
                || Integer.parseInt(port) > 65535) {
            throw bad(where, address, "port must be a number from 0 to 65535");
        }
        return new ListenAddress(host, Integer.parseInt(port), udp);
    }

    private static IllegalArgumentException bad(String where, String address, String reason) {
        return new IllegalArgumentException(where + ": invalid address '" + address + "' (" + reason + ")");
    }
}

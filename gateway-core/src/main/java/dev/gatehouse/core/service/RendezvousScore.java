package dev.gatehouse.core.service;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.Request;

/**
 * The score of the {@code hrw} strategy and the {@code highestRandomWeight} service (highest random weight, or
 * rendezvous hashing): each server (or child service) scores a
 * client by a hash of the client's IP followed by the server's URL, weighted, and the highest score wins. A client
 * keeps its server for as long as that server is available, and when a server leaves only its own clients move.
 *
 * <p>The hash and the scoring are Traefik's ({@code pkg/server/service/loadbalancer/hrw}): 64-bit FNV-1a over
 * the bytes of {@code ip + url}, taken as a fraction {@code h / 2^64}, scored {@code weight / -ln(h)}; so an
 * IPv4 client lands on the server Traefik would pick for it from the same server list.
 */
final class RendezvousScore {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final double TWO_TO_THE_64 = 0x1.0p64;

    private RendezvousScore() {
    }

    /**
     * The key hash of the client's IP as its connection gives it (never a forwarded header), spelled as Go spells
     * it, since that spelling is what Traefik hashes: IPv6 in its shortest form ({@code ::1}, {@code 2001:db8::1}).
     */
    static long clientHash(Request request) {
        if (request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress inet
                && inet.getAddress() != null) {
            return addressHash(inet.getAddress());
        }
        String ip = Request.getRemoteAddr(request);
        return hashKey(ip == null ? "" : ip);
    }

    /**
     * {@link #hashKey} of the address as Go spells it. An IPv4 address (the common case, on every request of
     * {@code hrw}) is hashed digit by digit from its bytes, with no string made for it.
     */
    static long addressHash(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            return hashKey(goSpelling(v6));
        }
        long hash = FNV_OFFSET;
        byte[] octets = address.getAddress();
        for (int i = 0; i < octets.length; i++) {
            if (i > 0) {
                hash = (hash ^ '.') * FNV_PRIME;
            }
            int octet = octets[i] & 0xff;
            if (octet >= 100) {
                hash = (hash ^ ('0' + octet / 100)) * FNV_PRIME;
            }
            if (octet >= 10) {
                hash = (hash ^ ('0' + octet / 10 % 10)) * FNV_PRIME;
            }
            hash = (hash ^ ('0' + octet % 10)) * FNV_PRIME;
        }
        return hash;
    }

    /** Go's {@code net.IP.String()} of an IPv6 address: the longest run of two or more zero groups (the first of equal runs) as {@code ::}. */
    static String goSpelling(Inet6Address address) {
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        if (address.getScopedInterface() != null) {
            out.append('%').append(address.getScopedInterface().getName());
        } else if (address.getScopeId() != 0) {
            out.append('%').append(address.getScopeId());
        }
        return out.toString();
    }

    /** The FNV-1a state after {@code key}'s UTF-8 bytes, to be continued with each server's URL. */
    static long hashKey(String key) {
        long hash = FNV_OFFSET;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c >= 0x80) {
                // Not ASCII (an IP never is): hash its UTF-8 bytes.
                return continueHash(FNV_OFFSET, key.getBytes(StandardCharsets.UTF_8));
            }
            hash = (hash ^ c) * FNV_PRIME;
        }
        return hash;
    }

    /** The URL's bytes, computed once per server. */
    static byte[] serverBytes(String url) {
        return url.getBytes(StandardCharsets.UTF_8);
    }

    /** The score of a server for a client whose key hash is {@code keyHash}. */
    static double score(long keyHash, byte[] server, int weight) {
        long hash = continueHash(keyHash, server);
        double fraction = unsignedToDouble(hash) / TWO_TO_THE_64;
        return 1.0 / -Math.log(fraction) * weight;
    }

    private static long continueHash(long state, byte[] bytes) {
        long hash = state;
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= FNV_PRIME;
        }
        return hash;
    }

    private static double unsignedToDouble(long value) {
        if (value >= 0) {
            return value;
        }
        // Halve (keeping the lowest bit, so rounding stays right), convert, and double back.
        return ((value >>> 1) | (value & 1)) * 2.0;
    }
}

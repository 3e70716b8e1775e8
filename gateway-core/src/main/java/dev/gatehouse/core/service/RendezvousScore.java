package dev.gatehouse.core.service;

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

    /** The client's IP as its connection gives it (never a forwarded header): Traefik's key. */
    static String clientIp(Request request) {
        String ip = Request.getRemoteAddr(request);
        return ip == null ? "" : ip;
    }

    /** The FNV-1a state after {@code key}, to be continued with each server's URL. */
    static long hashKey(String key) {
        return continueHash(FNV_OFFSET, key.getBytes(StandardCharsets.UTF_8));
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

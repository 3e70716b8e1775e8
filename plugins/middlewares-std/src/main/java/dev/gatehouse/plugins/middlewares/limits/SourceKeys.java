package dev.gatehouse.plugins.middlewares.limits;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The key a {@code rateLimit} bucket is kept under for a source, in memory and in Redis, with a bounded size: a source
 * can be chosen by the client ({@code sourceCriterion.requestHeaderName}, a long {@code Host}) and be as long as the
 * entry point's {@code maxHeaderBytes} allows, and each bucket keeps its key (up to 65,536 buckets in memory; one Redis
 * key each). A source longer than {@value #MAX_BYTES} bytes of UTF-8 is replaced by {@code sha256:} and the SHA-256 of
 * its bytes in hex (71 characters), so distinct sources stay distinct; shorter ones (every IP address, a usual host
 * name) are kept as they are, as Traefik keeps them.
 */
final class SourceKeys {

    /** The longest source kept as it is, in bytes of UTF-8. */
    static final int MAX_BYTES = 256;
    static final String HASHED_PREFIX = "sha256:";

    private SourceKeys() {
    }

    /** {@code source} itself when it has at most {@link #MAX_BYTES} bytes, else {@code sha256:<hex>}. */
    static String bounded(String source) {
        if (source.length() <= MAX_BYTES / 3 || (source.length() <= MAX_BYTES && utf8Length(source) <= MAX_BYTES)) {
            return source;   // the usual case (an address), checked without allocating
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8));
            return HASHED_PREFIX + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }

    private static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;   // with its low surrogate, one code point of four bytes
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}

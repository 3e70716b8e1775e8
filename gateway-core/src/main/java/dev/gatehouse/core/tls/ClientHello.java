package dev.gatehouse.core.tls;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the gateway reads from a TLS ClientHello before the handshake starts: the server name (SNI), which picks
 * the TLS options of the connection, and the ALPN protocols, which tell an ACME TLS-ALPN-01 validation
 * ({@code acme-tls/1}) from a client.
 *
 * @param serverName the SNI host name, or null when the client sent none
 * @param alpn the protocols the client offers, in its order
 */
public record ClientHello(String serverName, List<String> alpn) {

    public static final ClientHello NONE = new ClientHello(null, List.of());

    /** Bytes that must have arrived before {@link #parse} can tell: the record header and the record. */
    public static int needed(ByteBuffer buffer) {
        if (buffer.remaining() < 5) {
            return 5;
        }
        int p = buffer.position();
        return 5 + (((buffer.get(p + 3) & 0xff) << 8) | (buffer.get(p + 4) & 0xff));
    }

    /** Whether the first bytes are a TLS handshake record. */
    public static boolean isTls(ByteBuffer buffer) {
        int p = buffer.position();
        return buffer.remaining() >= 1 && buffer.get(p) == 0x16
                && (buffer.remaining() < 2 || buffer.get(p + 1) == 0x03);
    }

    /**
     * Reads the ClientHello from the first record (not consuming {@code buffer}); {@link #NONE} when it is
     * malformed or split over several records, so that the handshake goes on with the default options and fails
     * or succeeds on its own terms.
     */
    public static ClientHello parse(ByteBuffer buffer) {
        try {
            ByteBuffer b = buffer.duplicate();
            int recordEnd = b.position() + Math.min(b.remaining(), needed(b));
            b.limit(recordEnd);
            b.position(b.position() + 5);
            if ((b.get() & 0xff) != 1) {
                return NONE;
            }
            int length = u24(b);
            if (length > b.remaining()) {
                return NONE;
            }
            b.limit(b.position() + length);
            skip(b, 2 + 32);
            skip(b, b.get() & 0xff);
            skip(b, u16(b));
            skip(b, b.get() & 0xff);
            if (!b.hasRemaining()) {
                return NONE;
            }
            int extensionsEnd = u16(b) + b.position();
            String serverName = null;
            List<String> alpn = List.of();
            while (b.position() + 4 <= extensionsEnd) {
                int type = u16(b);
                int extensionLength = u16(b);
                int end = b.position() + extensionLength;
                if (type == 0) {
                    int listEnd = u16(b) + b.position();
                    while (b.position() + 3 <= listEnd) {
                        int nameType = b.get() & 0xff;
                        int nameLength = u16(b);
                        if (nameType == 0 && serverName == null) {
                            serverName = string(b, nameLength);
                        } else {
                            skip(b, nameLength);
                        }
                    }
                } else if (type == 16) {
                    List<String> protocols = new ArrayList<>();
                    int listEnd = u16(b) + b.position();
                    while (b.position() < listEnd) {
                        protocols.add(string(b, b.get() & 0xff));
                    }
                    alpn = List.copyOf(protocols);
                }
                b.position(end);
            }
            return new ClientHello(serverName, alpn);
        } catch (RuntimeException e) {
            return NONE;
        }
    }

    private static int u16(ByteBuffer b) {
        return ((b.get() & 0xff) << 8) | (b.get() & 0xff);
    }

    private static int u24(ByteBuffer b) {
        return ((b.get() & 0xff) << 16) | ((b.get() & 0xff) << 8) | (b.get() & 0xff);
    }

    private static void skip(ByteBuffer b, int n) {
        b.position(b.position() + n);
    }

    private static String string(ByteBuffer b, int length) {
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}

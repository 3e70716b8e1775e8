package dev.gatehouse.core.server;

import dev.gatehouse.api.net.IpBlock;
import dev.gatehouse.core.config.ProxyProtocolConfig;
import dev.gatehouse.core.http.IpRanges;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.ProxyConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code entryPoints.<name>.proxyProtocol} on a connector: Jetty's PROXY protocol reader (v1 and v2, and a connection
 * without a header goes on as it is), followed by the trust check that Jetty leaves to its user. A header from a
 * connection whose own address is not in {@code trustedIPs} (and the entry point not {@code insecure}) is read and
 * discarded, and the connection keeps its own addresses, as Traefik's listener does (go-proxyproto's IGNORE policy):
 * so only a trusted load balancer can make the gateway see another client address. Everything that reads the client
 * address (forwarded headers and their trust, ipAllowList, the access log, rate limits, ClientIP rules) reads the
 * connection's, so it sees the address the check let through.
 *
 * <p>Connection-level and protocol-neutral: the factories go in front of whatever protocol the connector speaks next
 * (TLS detection and HTTP here; TCP routers later).
 */
public final class ProxyProtocol {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyProtocol.class);

    /** The protocol name of the trust check in a connector's list of factories. */
    static final String TRUST_CHECK = "gatehouse-proxy-trust";

    private final IpRanges trustedIps;
    private final String trustedIpsText;
    private final boolean insecure;

    private ProxyProtocol(IpRanges trustedIps, String trustedIpsText, boolean insecure) {
        this.trustedIps = trustedIps;
        this.trustedIpsText = trustedIpsText;
        this.insecure = insecure;
    }

    /**
     * The PROXY protocol of an entry point, or null when it has none. Its {@code trustedIPs} were checked with the
     * static configuration ({@code StaticConfigurationLoader}), which names the key and where it was set.
     */
    public static ProxyProtocol of(ProxyProtocolConfig config) {
        if (config == null) {
            return null;
        }
        if (config.insecureOrDefault()) {
            return new ProxyProtocol(IpRanges.none(), "any client", true);
        }
        return new ProxyProtocol(IpRanges.parse(config.trustedIPs()), String.join(", ", config.trustedIPs()), false);
    }

    /** Whether a header from a connection with this peer address is believed. */
    boolean trusts(SocketAddress peer) {
        return insecure || peer instanceof InetSocketAddress inet && trustedIps.contains(inet.getAddress());
    }

    /** Says at start what the entry point believes (a warning with insecure, which lets any client pick its address). */
    void logEnabled(String entryPoint) {
        if (insecure) {
            LOG.warn("Entry point {}: PROXY protocol headers are believed from any client (proxyProtocol.insecure): "
                    + "every client can claim any address", entryPoint);
        } else {
            LOG.info("Entry point {}: PROXY protocol headers are believed from {}", entryPoint, trustedIpsText);
        }
    }

    /**
     * The factories to put first on a connector: the PROXY header reader (which closes a connection whose header is
     * malformed, see {@link Header}), then the trust check, which continues with {@code nextProtocol}.
     */
    ConnectionFactory[] connectionFactories(String nextProtocol) {
        ProxyConnectionFactory jetty = new ProxyConnectionFactory(TRUST_CHECK);
        return new ConnectionFactory[] {new DetectorConnectionFactory(new MalformedHeader(), new CheckedHeader(jetty)),
            new TrustCheck(nextProtocol)};
    }

    /**
     * What a connection starts with, checked as the PROXY protocol specification (and Go's reader, Traefik's) checks
     * it, before Jetty's reader sees it, which checks less. A v1 line is {@code PROXY}, then {@code TCP4} or
     * {@code TCP6} with two IP literals of that family and two ports, or {@code UNKNOWN} and anything, in 107 bytes
     * at most with its CRLF: Jetty takes any family, and a host name for an address, which it then resolves, a DNS
     * lookup on the connection's thread before the trust check can discard the header. A v2 header is of version 2,
     * command LOCAL or PROXY, and long enough for the addresses of its family: Jetty reads the addresses whatever
     * the length says, and so takes the first bytes of the request for them.
     */
    enum Header {
        /** No PROXY header: the connection starts otherwise. */
        ABSENT,
        /** A header, not whole enough yet to tell. */
        INCOMPLETE,
        VALID,
        MALFORMED;

        private static final byte[] V1_SIGNATURE = "PROXY".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
        /** The longest v1 line, its CRLF included (the specification's limit). */
        static final int MAX_V1_LENGTH = 107;
        /** A v2 header's fixed part: signature, version and command, family and protocol, length. */
        private static final int V2_FIXED_LENGTH = 16;

        /** What {@code buffer} (from its position, left unchanged) begins with. */
        static Header of(ByteBuffer buffer) {
            if (!buffer.hasRemaining()) {
                return INCOMPLETE;
            }
            Header signature = signature(buffer, V1_SIGNATURE);
            if (signature == VALID) {
                return v1(buffer);
            }
            if (signature == INCOMPLETE) {
                return INCOMPLETE;
            }
            signature = signature(buffer, V2_SIGNATURE);
            return signature == VALID ? v2(buffer) : signature;
        }

        /** VALID when the buffer starts with the signature, INCOMPLETE with a part of it, else ABSENT. */
        private static Header signature(ByteBuffer buffer, byte[] signature) {
            for (int i = 0; i < signature.length; i++) {
                if (i >= buffer.remaining()) {
                    return i == 0 ? ABSENT : INCOMPLETE;
                }
                if (buffer.get(buffer.position() + i) != signature[i]) {
                    return ABSENT;
                }
            }
            return VALID;
        }

        private static Header v1(ByteBuffer buffer) {
            int start = buffer.position();
            int available = buffer.remaining();
            for (int i = V1_SIGNATURE.length; i < Math.min(available, MAX_V1_LENGTH); i++) {
                if (buffer.get(start + i) == '\n') {
                    byte[] line = new byte[i + 1];
                    buffer.get(start, line);
                    return validV1(new String(line, StandardCharsets.US_ASCII)) ? VALID : MALFORMED;
                }
            }
            return available < MAX_V1_LENGTH ? INCOMPLETE : MALFORMED;
        }

        private static boolean validV1(String line) {
            if (!line.endsWith("\r\n")) {
                return false;
            }
            String[] fields = line.substring(0, line.length() - 2).split(" ", -1);
            if (fields.length >= 2 && fields[1].equals("UNKNOWN")) {
                return true;   // the receiver ignores the rest and keeps the connection's addresses
            }
            int addressLength = fields.length != 6 ? -1 : fields[1].equals("TCP4") ? 4 : fields[1].equals("TCP6") ? 16 : -1;
            return addressLength > 0 && isAddress(fields[2], addressLength) && isAddress(fields[3], addressLength)
                    && isPort(fields[4]) && isPort(fields[5]);
        }

        private static boolean isAddress(String text, int length) {
            byte[] address = IpBlock.address(text);   // literals only: never a DNS lookup
            return address != null && address.length == length && text.equals(text.strip());
        }

        private static boolean isPort(String text) {
            return !text.isEmpty() && text.length() <= 5 && text.chars().allMatch(c -> c >= '0' && c <= '9')
                    && (text.length() == 1 || text.charAt(0) != '0') && Integer.parseInt(text) <= 65535;
        }

        private static Header v2(ByteBuffer buffer) {
            if (buffer.remaining() < V2_FIXED_LENGTH) {
                return INCOMPLETE;
            }
            int start = buffer.position();
            int versionAndCommand = buffer.get(start + 12) & 0xFF;
            int family = (buffer.get(start + 13) & 0xFF) >> 4;
            int length = buffer.getChar(start + 14);
            if (versionAndCommand == 0x20) {
                return VALID;   // LOCAL (a load balancer's own health check): the addresses are not read
            }
            if (versionAndCommand != 0x21) {
                return MALFORMED;
            }
            // The addresses of AF_UNSPEC, AF_INET, AF_INET6 and AF_UNIX take 0, 12, 36 and 216 bytes.
            int needed = switch (family) {
                case 0 -> 0;
                case 1 -> 12;
                case 2 -> 36;
                case 3 -> 216;
                default -> -1;
            };
            return needed >= 0 && length >= needed ? VALID : MALFORMED;
        }
    }

    /** Recognises a malformed header, and closes its connection unanswered (Traefik's reader fails it). */
    private static final class MalformedHeader extends AbstractConnectionFactory implements ConnectionFactory.Detecting {
        MalformedHeader() {
            super("proxy-malformed");
        }

        @Override
        public Detection detect(ByteBuffer buffer) {
            return switch (Header.of(buffer)) {
                case MALFORMED -> Detection.RECOGNIZED;
                case INCOMPLETE -> Detection.NEED_MORE_BYTES;
                case ABSENT, VALID -> Detection.NOT_RECOGNIZED;
            };
        }

        @Override
        public Connection newConnection(Connector connector, EndPoint endPoint) {
            return new Refused(endPoint, connector);
        }
    }

    /** The connection of a malformed header: closed as soon as it opens. */
    private static final class Refused extends AbstractConnection implements Connection.UpgradeTo {
        Refused(EndPoint endPoint, Connector connector) {
            super(endPoint, connector.getExecutor());
        }

        @Override
        public void onUpgradeTo(ByteBuffer buffered) {
            // what was read is dropped with the connection
        }

        @Override
        public void onOpen() {
            super.onOpen();
            LOG.debug("Malformed PROXY protocol header from {}: connection closed", getEndPoint().getRemoteSocketAddress());
            getEndPoint().close();
        }

        @Override
        public void onFillable() {
        }
    }

    /**
     * Jetty's PROXY reader, handed a header only once it is known to be well-formed ({@link MalformedHeader} has the
     * others); a connection without a header goes on to the next protocol.
     */
    private static final class CheckedHeader extends AbstractConnectionFactory implements ConnectionFactory.Detecting {
        private final ProxyConnectionFactory jetty;

        CheckedHeader(ProxyConnectionFactory jetty) {
            super("proxy");
            this.jetty = jetty;
            addBean(jetty);
        }

        @Override
        public Detection detect(ByteBuffer buffer) {
            return switch (Header.of(buffer)) {
                case VALID -> Detection.RECOGNIZED;
                case INCOMPLETE -> Detection.NEED_MORE_BYTES;
                case ABSENT, MALFORMED -> Detection.NOT_RECOGNIZED;
            };
        }

        @Override
        public Connection newConnection(Connector connector, EndPoint endPoint) {
            return jetty.newConnection(connector, endPoint);
        }
    }

    /**
     * Whether {@code connection} is still reading a PROXY header (or the first bytes that tell whether one comes):
     * the connection's first-request deadline covers that too, as Traefik's header read timeout is the entry
     * point's {@code readTimeout}. Jetty's connections of these kinds are not public, hence the names.
     */
    static boolean isReadingHeader(Connection connection) {
        String type = connection.getClass().getName();
        return type.startsWith("org.eclipse.jetty.server.ProxyConnectionFactory$")
                || type.startsWith("org.eclipse.jetty.server.DetectorConnectionFactory$");
    }

    /** Continues the connection as {@code next}, with the header's addresses only if its sender is trusted. */
    private final class TrustCheck extends AbstractConnectionFactory {
        private final String next;

        TrustCheck(String next) {
            super(TRUST_CHECK);
            this.next = next;
        }

        @Override
        public Connection newConnection(Connector connector, EndPoint endPoint) {
            EndPoint effective = endPoint;
            if (endPoint instanceof ProxyConnectionFactory.ProxyEndPoint proxied) {
                EndPoint socket = proxied.unwrap();
                if (!trusts(socket.getRemoteSocketAddress())) {
                    // The header is consumed; the connection keeps the addresses of its socket (and claims no TLS).
                    effective = new ProxyConnectionFactory.ProxyEndPoint(socket, socket.getLocalSocketAddress(),
                            socket.getRemoteSocketAddress());
                }
            }
            return connector.getConnectionFactory(next).newConnection(connector, effective);
        }
    }
}

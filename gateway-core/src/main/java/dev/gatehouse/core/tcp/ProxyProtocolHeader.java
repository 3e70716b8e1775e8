package dev.gatehouse.core.tcp;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The PROXY protocol header the gateway sends a server before a tunnel's first byte ({@code proxyProtocol} of a
 * TCP servers transport), naming the client and the address it connected to, in version 1 (text) or 2 (binary).
 */
public final class ProxyProtocolHeader {

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyProtocolHeader() {
    }

    /**
     * @param version 1 or 2
     * @param client the client's address; null (not an IP connection) sends {@code UNKNOWN} / {@code LOCAL}
     * @param local the address the client connected to
     */
    public static ByteBuffer of(int version, InetSocketAddress client, InetSocketAddress local) {
        boolean known = client != null && local != null && !client.isUnresolved() && !local.isUnresolved()
                && (client.getAddress() instanceof Inet4Address) == (local.getAddress() instanceof Inet4Address);
        return version == 1 ? v1(known, client, local) : v2(known, client, local);
    }

    private static ByteBuffer v1(boolean known, InetSocketAddress client, InetSocketAddress local) {
        String line = !known ? "PROXY UNKNOWN\r\n"
                : "PROXY " + (client.getAddress() instanceof Inet4Address ? "TCP4 " : "TCP6 ")
                + client.getAddress().getHostAddress().replaceFirst("%.*$", "") + " "
                + local.getAddress().getHostAddress().replaceFirst("%.*$", "") + " "
                + client.getPort() + " " + local.getPort() + "\r\n";
        return ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
    }

    private static ByteBuffer v2(boolean known, InetSocketAddress client, InetSocketAddress local) {
        if (!known) {
            ByteBuffer header = ByteBuffer.allocate(16);
            header.put(V2_SIGNATURE).put((byte) 0x20).put((byte) 0x00).putShort((short) 0);
            return header.flip();
        }
        byte[] source = client.getAddress().getAddress();
        byte[] destination = local.getAddress().getAddress();
        boolean ipv4 = source.length == 4;
        int length = ipv4 ? 12 : 36;
        ByteBuffer header = ByteBuffer.allocate(16 + length);
        header.put(V2_SIGNATURE)
                .put((byte) 0x21)                       // version 2, PROXY command
                .put((byte) (ipv4 ? 0x11 : 0x21))       // TCP over IPv4 or IPv6
                .putShort((short) length)
                .put(source).put(destination)
                .putShort((short) client.getPort()).putShort((short) local.getPort());
        return header.flip();
    }
}

package dev.gatehouse.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Small real TCP servers for the TCP router tests: an echo server that greets first (as SMTP and MySQL servers
 * do), over plain TCP or TLS, and a TLS client that checks the certificate it gets against a CA.
 */
final class TcpServers {

    private TcpServers() {
    }

    /** Greets with {@code banner + "\n"}, then echoes every byte until the client ends its stream, then ends its own. */
    static final class Echo implements AutoCloseable {
        private final ServerSocket socket;
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final String banner;

        Echo(String banner, SSLContext tls) throws IOException {
            this.banner = banner;
            this.socket = tls == null ? new ServerSocket(0, 50, InetAddress.getLoopbackAddress())
                    : tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            threads.execute(this::accept);
        }

        int port() {
            return socket.getLocalPort();
        }

        String address() {
            return "127.0.0.1:" + port();
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    threads.execute(() -> serve(client));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket client) {
            try (client) {
                OutputStream out = client.getOutputStream();
                out.write((banner + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = client.getInputStream();
                byte[] chunk = new byte[16 * 1024];
                for (int n; (n = in.read(chunk)) >= 0; ) {
                    out.write(chunk, 0, n);
                }
                out.flush();
                if (!(client instanceof SSLSocket)) {
                    client.shutdownOutput();
                }
            } catch (IOException e) {
                // the client went away: nothing to do
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            threads.shutdownNow();
        }
    }

    /** A TLS context trusting only the CA in {@code caPem}. */
    static SSLContext trusting(Path caPem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /**
     * A TLS connection to the gateway's {@code port} for {@code serverName}, whose certificate must be valid for
     * that name under the CA of {@code trust}.
     */
    static SSLSocket tlsClient(SSLContext trust, int port, String serverName) throws IOException {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
        plain.setSoTimeout(10_000);
        SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(plain, serverName, port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return tls;
    }

    /** Reads one line (up to and without its newline); fails at the end of the stream. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("end of stream after '" + line + "'");
            }
            line.append((char) c);
        }
        return line.toString();
    }
}

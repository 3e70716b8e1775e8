package dev.gatehouse.it;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made for a test with {@code openssl} (a CA and leaves it signs, RSA or EC), and a TLS client that
 * sets the SNI it is told to, whatever address it connects to, and reports what the server presented.
 */
public final class TestCertificates {

    private final Path dir;
    private final Path caCert;
    private final Path caKey;

    private TestCertificates(Path dir) throws Exception {
        this.dir = dir;
        this.caCert = dir.resolve("ca.pem");
        this.caKey = dir.resolve("ca.key");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                caKey.toString(), "-out", caCert.toString(), "-days", "30", "-subj", "/CN=Gatehouse Test CA");
    }

    /** A new CA in {@code dir}. */
    public static TestCertificates ca(Path dir) throws Exception {
        Files.createDirectories(dir);
        return new TestCertificates(dir);
    }

    public Path caFile() {
        return caCert;
    }

    public Path caKeyFile() {
        return caKey;
    }

    /** A leaf and its key, PEM files. */
    public record Leaf(Path cert, Path key) {

        /** A server's TLS context that presents this certificate (a test collector or backend over HTTPS). */
        public SSLContext serverContext() throws Exception {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers(), null, null);
            return context;
        }

        /** Key managers presenting this certificate and key (through a PKCS#12 file written beside them). */
        javax.net.ssl.KeyManager[] keyManagers() throws Exception {
            Path p12 = cert.resolveSibling(cert.getFileName() + ".p12");
            openssl("pkcs12", "-export", "-in", cert.toString(), "-inkey", key.toString(), "-out", p12.toString(),
                    "-passout", "pass:changeit");
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                store.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, "changeit".toCharArray());
            return keys.getKeyManagers();
        }
    }

    /**
     * A leaf signed by this CA for {@code names} (the first is the common name).
     *
     * @param keyType {@code rsa} or {@code ec}
     */
    public Leaf leaf(String fileName, String keyType, String... names) throws Exception {
        return leafWithSubject(fileName, keyType, "/CN=" + names[0], names);
    }

    /** As {@link #leaf}, with the subject given as openssl's {@code -subj} takes it ({@code /C=FR/O=Acme/CN=x}). */
    public Leaf leafWithSubject(String fileName, String keyType, String subject, String... names) throws Exception {
        return leafWithExtensions(fileName, keyType, subject, List.of(), names);
    }

    /**
     * As {@link #leafWithSubject}, with more extensions as openssl's {@code -addext} takes them
     * ({@code authorityInfoAccess=OCSP;URI:http://127.0.0.1:8888}).
     */
    public Leaf leafWithExtensions(String fileName, String keyType, String subject, List<String> extensions,
            String... names) throws Exception {
        Path key = dir.resolve(fileName + ".key");
        Path csr = dir.resolve(fileName + ".csr");
        Path cert = dir.resolve(fileName + ".pem");
        StringBuilder san = new StringBuilder("subjectAltName=");
        for (int i = 0; i < names.length; i++) {
            san.append(i == 0 ? "" : ",").append("DNS:").append(names[i]);
        }
        List<String> request = new ArrayList<>(List.of("req", "-new", "-nodes", "-keyout", key.toString(), "-out",
                csr.toString(), "-subj", subject, "-addext", san.toString()));
        for (String extension : extensions) {
            request.addAll(List.of("-addext", extension));
        }
        if (keyType.equals("rsa")) {
            request.addAll(List.of("-newkey", "rsa:2048"));
        } else {
            request.addAll(List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"));
        }
        openssl(request.toArray(new String[0]));
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-set_serial", String.valueOf(Math.abs(new SecureRandom().nextLong())), "-days", "30", "-out",
                cert.toString(), "-copy_extensions", "copy");
        return new Leaf(cert, key);
    }

    /** The key of {@code leaf} rewritten in the traditional format (PKCS#1 for RSA, SEC1 for EC). */
    public Path traditionalKey(Leaf leaf, String keyType) throws Exception {
        Path out = dir.resolve(leaf.key().getFileName() + ".trad");
        openssl(keyType.equals("rsa") ? "rsa" : "ec", "-in", leaf.key().toString(), "-out", out.toString(), "-traditional");
        return out;
    }

    public static void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
    }

    /** A context trusting this CA, optionally presenting a client certificate. */
    public SSLContext clientContext(Leaf clientCertificate) throws Exception {
        return clientContextTrusting(this, clientCertificate);
    }

    /** A context trusting {@code serverCa}, presenting {@code clientCertificate} (or none when null). */
    public SSLContext clientContextTrusting(TestCertificates serverCa, Leaf clientCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", readCertificates(serverCa.caFile()).iterator().next());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(clientCertificate == null ? null : clientCertificate.keyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    /** The values of {@code certificate}'s subject alternative names (DNS names, IP addresses, ...), in its order. */
    public static List<String> subjectAlternativeNames(X509Certificate certificate) throws Exception {
        return certificate.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))).toList();
    }

    /** A context that accepts any server certificate: for tests that look at what the server presented. */
    public static SSLContext trustingAll() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }

    static Collection<? extends java.security.cert.Certificate> readCertificates(Path pem) throws Exception {
        return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)));
    }

    /** What a handshake gave. */
    public record Handshake(X509Certificate peer, String protocol, String applicationProtocol, String response,
            String cipherSuite) {
        public String subject() {
            return peer.getSubjectX500Principal().getName();
        }
    }

    /**
     * Connects to 127.0.0.1:{@code port}, shakes hands with {@code sni} (none when null), and when {@code request}
     * is given sends it (HTTP/1.1, Connection: close) and reads the whole answer.
     *
     * @param protocols the TLS versions to offer, or null for the defaults
     * @param alpn the ALPN protocols to offer, or null for none
     */
    public static Handshake handshake(SSLContext context, int port, String sni, String[] protocols, String[] alpn,
            String request) throws IOException {
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
             // The JDK client resumes sessions by host and port, and then sends the SNI of the resumed session:
             // naming the socket after the SNI keeps the sessions of different names apart.
             SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain,
                     sni == null ? "127.0.0.1" : sni, port, true)) {
            socket.setSoTimeout(20_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            if (protocols != null) {
                parameters.setProtocols(protocols);
            }
            if (alpn != null) {
                parameters.setApplicationProtocols(alpn);
            }
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            String response = null;
            if (request != null) {
                OutputStream out = socket.getOutputStream();
                out.write((request + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
            return new Handshake(peer, socket.getSession().getProtocol(), socket.getApplicationProtocol(), response,
                    socket.getSession().getCipherSuite());
        }
    }

    public static Handshake handshake(int port, String sni) throws Exception {
        return handshake(trustingAll(), port, sni, null, null, null);
    }
}

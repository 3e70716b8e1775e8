package dev.gatehouse.it;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OCSP responder for tests: OpenSSL's ({@code openssl ocsp -index}), answering from an index of the
 * certificates a test CA issued, with responses signed by a responder certificate the CA delegated to
 * (extendedKeyUsage OCSPSigning). {@code openssl ocsp}'s own server listens on every interface, so requests come
 * in through a JDK HTTP server bound to 127.0.0.1, and each is answered by {@code openssl ocsp -reqin -respout}.
 */
final class OcspResponder implements AutoCloseable {

    private final TestCertificates ca;
    private final Path dir;
    private final Path index;
    private final Path signerCert;
    private final Path signerKey;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile boolean failing;
    private HttpServer server;

    private OcspResponder(TestCertificates ca, Path dir) throws Exception {
        this.ca = ca;
        this.dir = dir;
        this.index = dir.resolve("index.txt");
        this.signerCert = dir.resolve("ocsp-signer.pem");
        this.signerKey = dir.resolve("ocsp-signer.key");
        Files.writeString(index, "");
        Path csr = dir.resolve("ocsp-signer.csr");
        Path extensions = dir.resolve("ocsp-signer.ext");
        Files.writeString(extensions, "extendedKeyUsage=OCSPSigning\nbasicConstraints=CA:FALSE\n");
        TestCertificates.openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", signerKey.toString(), "-out", csr.toString(), "-subj", "/CN=Gatehouse Test OCSP Responder");
        TestCertificates.openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.caFile().toString(), "-CAkey",
                ca.caKeyFile().toString(), "-set_serial", "7", "-days", "30", "-out", signerCert.toString(),
                "-extfile", extensions.toString());
    }

    /** A responder for the certificates {@code ca} issues, keeping its files in {@code dir}. Not listening yet. */
    static OcspResponder forCa(TestCertificates ca, Path dir) throws Exception {
        Files.createDirectories(dir);
        return new OcspResponder(ca, dir);
    }

    /**
     * A leaf for {@code name} whose Authority Information Access names {@code responderUrl}, entered in the index as
     * valid.
     */
    TestCertificates.Leaf leaf(String name, String keyType, String responderUrl) throws Exception {
        TestCertificates.Leaf leaf = ca.leafWithExtensions(name + "-" + keyType, keyType, "/CN=" + name,
                List.of("authorityInfoAccess=OCSP;URI:" + responderUrl), name);
        // The file holds the chain, as served certificates do: the issuer after the leaf.
        Files.writeString(leaf.cert(), Files.readString(leaf.cert()) + Files.readString(ca.caFile()));
        // OpenSSL's index wants each subject once: the key type tells two certificates of one name apart.
        Files.writeString(index, "V\t301231235959Z\t\t" + serial(leaf) + "\tunknown\t/CN=" + name + "/OU=" + keyType + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        return leaf;
    }

    /** Marks {@code leaf} revoked in the index: the responder says so from its next answer on. */
    void revoke(TestCertificates.Leaf leaf) throws Exception {
        String serial = serial(leaf);
        StringBuilder updated = new StringBuilder();
        for (String line : Files.readAllLines(index)) {
            String[] fields = line.split("\t", -1);
            if (fields[3].equals(serial)) {
                fields[0] = "R";
                fields[2] = "261201000000Z";
            }
            updated.append(String.join("\t", fields)).append('\n');
        }
        Files.writeString(index, updated);
    }

    /** Starts answering on 127.0.0.1:{@code port}, responses valid for {@code validMinutes}. */
    OcspResponder start(int port, int validMinutes) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                int n = requests.incrementAndGet();
                byte[] body = failing ? null : answer(exchange.getRequestBody().readAllBytes(), n, validMinutes);
                if (body == null) {
                    exchange.sendResponseHeaders(failing ? 503 : 500, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", "application/ocsp-response");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        return this;
    }

    /** OpenSSL's answer to request number {@code n}; null when openssl fails. */
    private byte[] answer(byte[] requestBody, int n, int validMinutes) {
        try {
            Path request = dir.resolve("request-" + n + ".der");
            Path response = dir.resolve("response-" + n + ".der");
            Files.write(request, requestBody);
            TestCertificates.openssl("ocsp", "-index", index.toString(), "-rsigner", signerCert.toString(),
                    "-rkey", signerKey.toString(), "-CA", ca.caFile().toString(), "-nmin",
                    String.valueOf(validMinutes), "-reqin", request.toString(), "-respout", response.toString());
            return Files.readAllBytes(response);
        } catch (Exception e) {
            System.err.println("test OCSP responder: " + e.getMessage());
            return null;
        }
    }

    /** While true, every request is answered 503 Service Unavailable, as by a responder in trouble. */
    OcspResponder failing(boolean failing) {
        this.failing = failing;
        return this;
    }

    /** How many requests reached the responder. */
    int requests() {
        return requests.get();
    }

    /** The serial as OpenSSL's index writes it: upper-case hex, an even number of digits. */
    private static String serial(TestCertificates.Leaf leaf) throws Exception {
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(leaf.cert())));
        String hex = certificate.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }

    /**
     * What {@code openssl s_client -status} saw of the stapled response when shaking hands with 127.0.0.1:{@code port}
     * for {@code serverName}: its output from the "OCSP response:" block.
     */
    static String stapleSeenByOpenssl(int port, String serverName, String... options) throws Exception {
        String text = opensslClient(port, serverName, options);
        int start = text.indexOf("OCSP response:");
        if (start < 0) {
            throw new IllegalStateException("openssl s_client printed no OCSP section: " + text);
        }
        int end = text.indexOf("---", start);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    /** The whole output of {@code openssl s_client -status} for one handshake with 127.0.0.1:{@code port}. */
    static String opensslClient(int port, String serverName, String... options) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", serverName, "-status"));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("openssl s_client did not finish");
        }
        return new String(output, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The serial of {@code leaf} as OpenSSL prints it in an OCSP response ({@code Serial Number: 1A2B}). */
    static String printedSerial(TestCertificates.Leaf leaf) throws Exception {
        return serial(leaf);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}

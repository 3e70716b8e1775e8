package dev.gatehouse.core.tls;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test CA made with openssl in a folder, with OpenSSL's OCSP responder answering for it: offline
 * ({@link #respond}) or over HTTP on 127.0.0.1 ({@link #serve}), from {@code index.txt} in OpenSSL's CA format.
 */
final class OcspTestCa implements AutoCloseable {

    final Path dir;
    final X509Certificate ca;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile boolean failing;
    private HttpServer server;

    OcspTestCa(Path dir) throws Exception {
        this.dir = dir;
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-days", "2", "-subj", "/CN=OCSP Test CA");
        ca = read("ca.pem");
        Files.writeString(dir.resolve("index.txt"), "");
    }

    /** A certificate for {@code name} the CA signs ({@code name.pem}, {@code name.key}), with one more extension. */
    X509Certificate issue(String name, String keyType, String extension) throws Exception {
        List<String> request = new ArrayList<>(List.of("req", "-new", "-nodes", "-keyout", name + ".key", "-out",
                name + ".csr", "-subj", "/CN=" + name, "-newkey", keyType.equals("rsa") ? "rsa:2048" : "ec"));
        if (keyType.equals("ec")) {
            request.addAll(List.of("-pkeyopt", "ec_paramgen_curve:P-256"));
        }
        if (extension != null) {
            request.addAll(List.of("-addext", extension));
        }
        openssl(request.toArray(new String[0]));
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial",
                String.valueOf(new SecureRandom().nextInt(Integer.MAX_VALUE)), "-days", "2", "-out", name + ".pem",
                "-copy_extensions", "copy");
        return read(name + ".pem");
    }

    /** Sets {@code certificate}'s line of the index: {@code V} (valid) or {@code R} (revoked). */
    void index(X509Certificate certificate, char status) throws Exception {
        String serial = certificate.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
        serial = serial.length() % 2 == 0 ? serial : "0" + serial;
        StringBuilder index = new StringBuilder();
        for (String line : Files.readAllLines(dir.resolve("index.txt"))) {
            if (!line.split("\t", -1)[3].equals(serial)) {
                index.append(line).append('\n');
            }
        }
        index.append(status).append("\t301231235959Z\t").append(status == 'R' ? "261201000000Z" : "").append('\t')
                .append(serial).append("\tunknown\t").append(certificate.getSubjectX500Principal().getName()).append('\n');
        Files.writeString(dir.resolve("index.txt"), index);
    }

    /** OpenSSL's answer to {@code request}, signed by {@code signer} (a file stem: {@code ca}, or an issued one). */
    byte[] respond(byte[] request, String signer, String... options) throws Exception {
        Path requestFile = Files.write(Files.createTempFile(dir, "req", ".der"), request);
        Path responseFile = Files.createTempFile(dir, "resp", ".der");
        List<String> args = new ArrayList<>(List.of("ocsp", "-index", "index.txt", "-rsigner", signer + ".pem",
                "-rkey", signer + ".key", "-CA", "ca.pem", "-reqin", requestFile.toString(), "-respout",
                responseFile.toString()));
        args.addAll(List.of(options));
        openssl(args.toArray(new String[0]));
        return Files.readAllBytes(responseFile);
    }

    /** Answers POSTed requests on 127.0.0.1 (signed by the CA, valid {@code validMinutes}); returns the URL. */
    String serve(int validMinutes) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                requests.incrementAndGet();
                byte[] body = failing ? null : answer(exchange.getRequestBody().readAllBytes(), validMinutes);
                if (body == null) {
                    exchange.sendResponseHeaders(failing ? 503 : 500, -1);
                    return;
                }
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private byte[] answer(byte[] request, int validMinutes) {
        try {
            return respond(request, "ca", "-nmin", String.valueOf(validMinutes));
        } catch (Exception e) {
            return null;
        }
    }

    /** While true, the HTTP responder answers 503. */
    void failing(boolean failing) {
        this.failing = failing;
    }

    int requests() {
        return requests.get();
    }

    X509Certificate read(String file) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve(file))));
    }

    String openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + output);
        }
        return output;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}

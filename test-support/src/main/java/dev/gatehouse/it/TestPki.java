package dev.gatehouse.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CA, a server certificate for {@code localhost} and {@code 127.0.0.1}, and a client certificate, all made with
 * openssl in a folder of the test's (PEM files), for the servers a test runs with TLS ({@link EtcdServer},
 * {@link RedisServer}) and for the gateway's clients of them.
 */
public final class TestPki {

    /** The CA's certificate, which signed the other two. */
    public final Path ca;
    public final Path server;
    public final Path serverKey;
    public final Path client;
    public final Path clientKey;

    public TestPki(Path dir) throws IOException {
        Files.createDirectories(dir);
        ca = dir.resolve("ca.pem");
        server = dir.resolve("server.pem");
        serverKey = dir.resolve("server-key.pem");
        client = dir.resolve("client.pem");
        clientKey = dir.resolve("client-key.pem");
        Path caKey = dir.resolve("ca-key.pem");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=test CA", "-keyout", caKey.toString(), "-out", ca.toString());
        issue(dir, caKey, "server", server, serverKey, "subjectAltName=DNS:localhost,IP:127.0.0.1");
        issue(dir, caKey, "client", client, clientKey, "extendedKeyUsage=clientAuth");
    }

    private void issue(Path dir, Path caKey, String name, Path cert, Path key, String extension) {
        Path csr = dir.resolve(name + ".csr");
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + name,
                "-addext", extension, "-keyout", key.toString(), "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-copy_extensions", "copy", "-out", cert.toString());
    }

    private static void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        ServerProcess.run(command, null);
    }

    /** The text of a PEM file, for options that take PEM inline. */
    public static String read(Path pem) {
        try {
            return Files.readString(pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An existing acme.json moves into the shared store by itself: a gateway started with {@code storage.etcd} and its
 * old file imports the file's account and certificates once, serves the stored certificate without ordering (the CA
 * is unreachable here), keeps the file aside as a backup, and stores the private key encrypted in its own entry
 * (the file had certificate and key in one entry, as Gatehouse wrote it before shared storage).
 */
class AcmeStorageImportTest {

    @TempDir
    Path dir;

    @Test
    void anExistingAcmeJsonIsImportedIntoEtcdAndItsCertificateServedWithoutAnOrder() throws Exception {
        importAndServe(false);
    }

    @Test
    void withEtcdDownAtStartTheGatewayStartsAndImportsTheFileOnceEtcdAnswers() throws Exception {
        importAndServe(true);
    }

    /** @param etcdDownAtStart stop etcd before the gateway starts, and start it again once the gateway runs */
    private void importAndServe(boolean etcdDownAtStart) throws Exception {
        String host = "imported.acme.test";
        TestCertificates.Leaf leaf = TestCertificates.ca(dir.resolve("pki")).leaf("imported", "ec", host);
        Path publicKey = dir.resolve("pki/imported.pub");
        TestCertificates.openssl("pkey", "-in", leaf.key().toString(), "-pubout", "-out", publicKey.toString());
        String entry = "domains: " + host + "\n" + Files.readString(leaf.key()) + Files.readString(publicKey)
                + Files.readString(leaf.cert());
        Path gatewayDir = dir.resolve("gw");
        Files.createDirectories(gatewayDir);
        // acme.json as the file storage writes it: every entry base64 under "entries".
        Files.writeString(gatewayDir.resolve("acme.json"), """
                {"version": 1, "entries": {"acme/le/certificates/%s": "%s", "acme/le/account/key": "%s"}}
                """.formatted(host, Base64.getEncoder().encodeToString(entry.getBytes(StandardCharsets.UTF_8)),
                Base64.getEncoder().encodeToString((Files.readString(leaf.key()) + Files.readString(publicKey))
                        .getBytes(StandardCharsets.UTF_8))));
        X509Certificate expected;
        try (var in = Files.newInputStream(leaf.cert())) {
            expected = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        int websecure = Gateways.freePort();
        EtcdServer etcd = EtcdServer.in(dir.resolve("etcd")).start();
        if (etcdDownAtStart) {
            etcd.stop();
        }
        try (etcd;
             TestBackend backend = TestBackend.echo("app");
             TestGateway gateway = Gateways.withDynamic(gatewayDir, """
                     http:
                       routers:
                         app:
                           rule: Host(`%s`)
                           service: app
                           entryPoints: [websecure]
                           tls:
                             certResolver: le
                       services:
                         app:
                           loadBalancer:
                             servers:
                               - url: %s
                     """.formatted(host, backend.url())).staticConfig("""
                     entryPoints:
                       web:
                         address: "127.0.0.1:0"
                       websecure:
                         address: "127.0.0.1:%d"
                     providers:
                       providersThrottleDuration: 200ms
                       file:
                         directory: dynamic
                     storage:
                       etcd:
                         endpoints: ["%s"]
                     certificatesResolvers:
                       le:
                         acme:
                           caServer: https://127.0.0.1:1/dir
                           storage: acme.json
                           httpChallenge:
                             entryPoint: web
                     """.formatted(websecure, etcd.address()))
                     .env("GATEHOUSE_STORAGE_ENCRYPTIONKEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").start()) {
            if (etcdDownAtStart) {
                // The gateway runs (start() returned) with the file still in place; the store comes back.
                assertTrue(Files.exists(gatewayDir.resolve("acme.json")), "nothing imported while etcd is down");
                etcd.start();
            }
            X509Certificate served = Poll.untilValue("the imported certificate is served", Duration.ofSeconds(20),
                    () -> TestCertificates.handshake(TestCertificates.trustingAll(), websecure, host, null, null,
                            "GET / HTTP/1.1\r\nHost: " + host).peer(), peer -> peer.getSerialNumber().equals(expected.getSerialNumber()));
            assertEquals(expected, served);

            assertFalse(Files.exists(gatewayDir.resolve("acme.json")), "the file is not read again");
            try (Stream<Path> files = Files.list(gatewayDir)) {
                assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("acme.json.imported-")).count());
            }
            String key = Poll.untilValue("the key encrypted in its own entry", Duration.ofSeconds(10),
                    () -> etcd.get("gatehouse/acme/le/keys/" + host), value -> value != null);
            assertTrue(key.startsWith("gatehouse-aes256gcm:") && !key.contains("PRIVATE KEY"), key);
            String accountKey = Poll.untilValue("the account key encrypted", Duration.ofSeconds(10),
                    () -> etcd.get("gatehouse/acme/le/account/key"), value -> value.startsWith("gatehouse-aes256gcm:"));
            assertFalse(accountKey.contains("PRIVATE KEY"), accountKey);
            String certificate = etcd.get("gatehouse/acme/le/certificates/" + host);
            assertTrue(certificate.contains("BEGIN CERTIFICATE") && !certificate.contains("PRIVATE KEY"), certificate);
            assertTrue(gateway.logLines("cannot obtain").isEmpty(), "nothing was ordered: " + gateway.logs());
        }
    }
}

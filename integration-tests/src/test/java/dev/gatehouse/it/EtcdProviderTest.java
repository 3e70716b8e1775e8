package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestBackend;
import dev.gatehouse.testkit.TestGateway;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The provider-etcd plugin, loaded by PF4J from the plugins folder, against a real etcd of its own (EtcdServer):
 * the shared KV behaviour ({@link KvProviderContract}), then etcd's TLS with client certificates and authentication.
 */
class EtcdProviderTest extends KvProviderContract {

    private EtcdServer etcd;

    @Override
    String provider() {
        return "etcd";
    }

    @Override
    void startStore(Path dir) throws Exception {
        etcd = EtcdServer.in(dir).start();
    }

    @Override
    String providerOptions() {
        return "endpoints: [\"" + etcd.address() + "\"]";
    }

    @Override
    void put(Map<String, String> pairs) {
        // One transaction would be closer to a real writer, but etcdctl puts one key per call; the provider reads
        // the whole tree after each change anyway.
        pairs.forEach(etcd::put);
    }

    @Override
    void delete(String key) {
        etcd.delete(key);
    }

    @Override
    void stopStore() throws Exception {
        etcd.stop();
    }

    @Override
    void restartStore() throws Exception {
        etcd.start();
    }

    @Override
    void closeStore() throws Exception {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Test
    void tlsWithAClientCertificateAndAUserAndPassword() throws Exception {
        TestCertificates ca = TestCertificates.ca(dir.resolve("pki"));
        TestCertificates.Leaf server = ca.leafWithSubject("etcd-server", "ec", "/CN=etcd", "localhost,IP:127.0.0.1");
        TestCertificates.Leaf client = ca.leafWithSubject("etcd-client", "ec", "/CN=root", "client");
        etcd = EtcdServer.in(dir.resolve("store")).tls(ca.caFile(), server.cert(), server.key(), client.cert(), client.key())
                .rootPassword("s3cret").start();
        try (TestBackend backend = TestBackend.start("secure");
                TestGateway gateway = gateway("""
                        endpoints: ["%s"]
                        username: root
                        password: s3cret
                        tls:
                          ca: %s
                          cert: %s
                          key: %s
                        """.formatted(etcd.address(), ca.caFile(), client.cert(), client.key())).start()) {
            put(route("app", "app.kv.test", backend));
            awaitBody(gateway, "app.kv.test", "secure");
            assertTrue(health(gateway).up(), health(gateway).toString());
        } finally {
            closeStore();
        }
    }

    @Test
    void aWrongPasswordIsReportedAsSuch() throws Exception {
        etcd = EtcdServer.in(dir.resolve("store")).rootPassword("s3cret").start();
        try (TestGateway gateway = gateway("""
                endpoints: ["%s"]
                username: root
                password: wrong
                """.formatted(etcd.address())).start()) {
            Poll.until("the provider says why it is down", WAIT, () -> health(gateway).problem() != null);
            String problem = health(gateway).problem();
            assertTrue(problem.contains("credentials") && problem.contains("username and password"), problem);
        } finally {
            closeStore();
        }
    }
}

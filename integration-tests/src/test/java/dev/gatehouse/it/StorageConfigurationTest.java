package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.CheckCommand;
import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import dev.gatehouse.testkit.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The static {@code storage} section as {@code gatehouse check} (and so the gateway) reads it, with the bundled
 * plugins: one backend a plugin provides, its options checked by name, and an encryption key of the right size.
 * Nothing connects to a store here.
 */
class StorageConfigurationTest {

    @TempDir
    Path dir;

    private String output;

    private int check(String storageYaml, Map<String, String> env) throws Exception {
        TestGateway harness = Gateways.withDynamic(dir.resolve("gw"), "{}");
        Path config = dir.resolve("gatehouse.yml");
        Files.writeString(config, """
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                """ + storageYaml);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        try {
            int status = CheckCommand.run(StaticConfigurationLoader.load(
                    List.of("--configFile=" + config, "--plugins.dir=" + harness.pluginsDir()), env, dir, null), print, print);
            output = out.toString(StandardCharsets.UTF_8);
            return status;
        } catch (ConfigurationException e) {
            // A value the loader refuses (check prints the same): the section never reaches the plugins.
            output = String.join("\n", e.problems());
            return 1;
        }
    }

    @Test
    void aBackendWithItsOptionsAndAKeyFromTheEnvironmentIsValidWithoutConnecting() throws Exception {
        assertEquals(0, check("""
                storage:
                  etcd:
                    endpoints: ["127.0.0.1:1"]
                    rootKey: shared
                """, Map.of("GATEHOUSE_STORAGE_ENCRYPTIONKEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")), output);
        assertEquals(0, check("storage:\n  redis:\n    endpoints: [\"127.0.0.1:1\"]\n    db: 2\n", Map.of()), output);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "storage: {consul: {}}|unknown key 'storage.consul': no plugin provides the storage backend 'consul' (known: etcd, redis",
        "storage: {etcd: {}, redis: {}}|storage: name exactly one backend, such as storage.etcd or storage.redis (found etcd, redis)",
        "storage: {encryptionKey: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=}|storage: name exactly one backend",
        "storage: {etcd: {endpoint: x}}|storage.etcd.endpoint",
        "storage: {etcd: {}, encryptionKey: c2hvcnQ=}|encryptionKey decodes to 5 bytes, not 32; make one with: openssl rand -base64 32",
    })
    void aWrongSectionIsReportedByKeyWithTheFix(String storageYaml, String expected) throws Exception {
        assertEquals(1, check(storageYaml + "\n", Map.of()), output);
        assertTrue(output.contains(expected), output);
    }

    @Test
    void aMalformedEndpointStopsTheStartNamingTheOptionOnce() throws Exception {
        // Connecting is what reads the endpoints (check does not connect): the message names the option once.
        TestGateway gateway = Gateways.withDynamic(dir.resolve("run"), "{}").staticConfig("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                storage:
                  etcd:
                    endpoints: ["no-port"]
                """);
        Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, gateway::start);
        String text = failure.getMessage() + (failure instanceof ConfigurationException c ? " " + c.problems() : "");
        assertTrue(text.contains("storage.etcd.endpoints: 'no-port' needs a host and a port"), text);
        assertTrue(!text.contains("storage.etcd: storage.etcd"), text);
    }
}

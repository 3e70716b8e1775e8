package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.CheckCommand;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mistakes of a first hour (issue 16), each with the message {@code gatehouse check} prints for it: what is
 * wrong, where (file:line), and the fix when there is an obvious one; never a Java exception's text.
 */
class FirstHourMessagesTest {

    /** The bundled plugins, as the build prepares them for the integration tests. */
    private static final Path PLUGINS = Path.of(System.getProperty("gatehouse.it.plugins", "target/plugins"));

    @TempDir
    Path dir;

    /** {@code gatehouse check} of a file provider reading {@code dynamicYaml}; returns what it printed on stderr. */
    private String checkErrors(String dynamicYaml) throws Exception {
        Files.createDirectories(dir.resolve("dynamic"));
        Files.writeString(dir.resolve("dynamic").resolve("app.yml"), dynamicYaml);
        Path config = dir.resolve("gatehouse.yml");
        Files.writeString(config, "entryPoints:\n  web:\n    address: \"127.0.0.1:0\"\nproviders:\n  file:\n"
                + "    directory: " + dir.resolve("dynamic") + "\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = CheckCommand.run(StaticConfigurationLoader.load(
                List.of("--configFile=" + config, "--plugins.dir=" + PLUGINS), Map.of(), dir, null),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String errors = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, errors);
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("error"), "errors belong on stderr");
        assertFalse(errors.contains("Exception") || errors.contains("java."), errors);
        return errors;
    }

    @Test
    void aServerUrlWithoutSchemeInItsMostCommonFormSaysWhatToWrite() throws Exception {
        String errors = checkErrors("""
                http:
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: 127.0.0.1:23001
                """);
        assertTrue(errors.contains("service app@file (from " + dir.resolve("dynamic/app.yml") + ":3): "
                + "loadBalancer.servers[0]: server url '127.0.0.1:23001' must start with http://, https:// or h2c://"
                + " (did you mean 'http://127.0.0.1:23001'?)"), errors);
        assertFalse(errors.contains("Illegal character"), errors);
    }

    @Test
    void aTypoInAListKeyNamesTheKeyAndItsLine() throws Exception {
        String errors = checkErrors("""
                http:
                  services:
                    app:
                      loadBalancer:
                        server:
                          - url: http://127.0.0.1:23001
                """);
        assertTrue(errors.contains("line 5: unknown key 'http.services.app.loadBalancer.server'")
                && errors.contains("did you mean 'servers'?"), errors);
    }

    @Test
    void aMisspeltMiddlewareTypeGetsADidYouMean() throws Exception {
        String errors = checkErrors("""
                http:
                  middlewares:
                    strip:
                      stripPrefixes:
                        prefixes: [/api]
                """);
        assertTrue(errors.contains("middleware strip@file (from " + dir.resolve("dynamic/app.yml") + ":3): unknown "
                + "middleware type 'stripPrefixes'; did you mean 'stripPrefix'?"), errors);
    }

    @Test
    void aRouterToAServiceThatIsNotThereSaysSoWithoutPointingAtAnErrorThereIsNot() throws Exception {
        String errors = checkErrors("""
                http:
                  routers:
                    web:
                      rule: PathPrefix(`/`)
                      service: ap
                  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: http://127.0.0.1:23001
                """);
        assertTrue(errors.contains("router web@file (from " + dir.resolve("dynamic/app.yml") + ":3): service 'ap@file' "
                + "does not exist; did you mean 'app@file'?"), errors);
        assertFalse(errors.contains("see its own error"), errors);
    }

    @Test
    void aRelativeCertificatePathShowsThePathTriedAndTheWorkingDirectory() throws Exception {
        String errors = checkErrors("""
                tls:
                  certificates:
                    - certFile: certs/missing-cert.pem
                      keyFile: certs/missing-key.pem
                """);
        Path workingDirectory = Path.of("").toAbsolutePath();
        assertTrue(errors.contains("tls.certificates (from " + dir.resolve("dynamic/app.yml") + ":3): certFile "
                + "certs/missing-cert.pem cannot be read: no such file: " + workingDirectory.resolve("certs/missing-cert.pem")
                + " (certs/missing-cert.pem is relative to the working directory " + workingDirectory
                + "; write an absolute path)"), errors);
    }
}

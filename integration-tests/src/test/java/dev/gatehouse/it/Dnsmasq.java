package dev.gatehouse.it;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real DNS server for UDP tests: Debian's dnsmasq, started by the test as its own process on a free loopback
 * port, reading no system configuration, answering {@code example.test} (and its subdomains) with one address.
 * test.sh installs it; a test that needs it fails, naming the package, when it is missing.
 */
final class Dnsmasq implements AutoCloseable {

    static final String NAME = "example.test";

    private final Process process;
    private final int port;
    private final String answer;

    private Dnsmasq(Process process, int port, String answer) {
        this.process = process;
        this.port = port;
        this.answer = answer;
    }

    /**
     * Starts dnsmasq answering {@value #NAME} with {@code answer} (an IPv4 address), and waits until it answers.
     *
     * @param dir a folder of the test's for its pid file and log
     */
    static Dnsmasq start(Path dir, String answer) throws IOException, InterruptedException {
        Path binary = List.of(Path.of("/usr/sbin/dnsmasq"), Path.of("/usr/bin/dnsmasq")).stream()
                .filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("dnsmasq is not installed: apt-get install dnsmasq (test.sh does)"));
        Files.createDirectories(dir);
        // A port free a moment ago may be taken before dnsmasq binds it (it binds TCP too): another one is tried.
        for (int attempt = 1; ; attempt++) {
            int port = freePort();
            Path log = dir.resolve("dnsmasq-" + port + ".log");
            Process process = new ProcessBuilder(binary.toString(), "--no-daemon", "--conf-file=/dev/null",
                    "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                    "--pid-file=" + dir.resolve("dnsmasq-" + port + ".pid"), "--address=/" + NAME + "/" + answer)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Dnsmasq server = new Dnsmasq(process, port, answer);
            try {
                Poll.until("dnsmasq answers on 127.0.0.1:" + port, Duration.ofSeconds(10),
                        () -> !process.isAlive() || answer.equals(Dig.query(port)), () -> readQuietly(log));
                if (process.isAlive()) {
                    return server;
                }
                if (attempt == 3) {
                    throw new AssertionError("dnsmasq exited with " + process.exitValue() + ": " + readQuietly(log));
                }
            } catch (AssertionError | RuntimeException e) {
                server.close();
                throw e;
            }
        }
    }

    int port() {
        return port;
    }

    /** The address it answers {@value #NAME} with: what tells the servers apart. */
    String answer() {
        return answer;
    }

    /** {@code 127.0.0.1:<port>}, as a UDP service's server address. */
    String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** A port free for both UDP and TCP on 127.0.0.1 a moment ago: dnsmasq listens on both. */
    private static int freePort() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                 java.net.ServerSocket tcp = new java.net.ServerSocket(udp.getLocalPort(), 1,
                         InetAddress.getLoopbackAddress())) {
                return tcp.getLocalPort();
            } catch (java.net.BindException taken) {
                // that port is taken for TCP: another one
            }
        }
        throw new IOException("no port free for both UDP and TCP on 127.0.0.1 after 20 tries");
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}

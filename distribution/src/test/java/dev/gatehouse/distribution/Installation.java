package dev.gatehouse.distribution;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gatehouse.it.Poll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The built distribution as a user installs and runs it, for the distribution tests: the zip unpacked with the
 * modes it stores, and {@code bin/gatehouse} started as its own process with the product's default JVM options.
 */
final class Installation {

  static final String VERSION = System.getProperty("gatehouse.test.version", "0.1.0-SNAPSHOT");

  private Installation() {
  }

  /** Unpacks the distribution zip under {@code root}; returns its top folder {@code gatehouse-VERSION}. */
  static Path unzip(Path root) throws IOException {
    Path zip = Path.of(System.getProperty("gatehouse.test.zip", "target/gatehouse-" + VERSION + ".zip"));
    assertTrue(Files.isRegularFile(zip), "distribution zip not built: " + zip.toAbsolutePath());
    // zipfs with POSIX attributes: the unpacked modes are the ones stored in the zip, as `unzip` restores them.
    try (FileSystem fs = FileSystems.newFileSystem(zip, Map.of("enablePosixFileAttributes", "true"));
        Stream<Path> entries = Files.walk(fs.getPath("/"))) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        Path target = root.resolve(fs.getPath("/").relativize(entry).toString());
        if (Files.isDirectory(entry)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(entry, target);
          Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(entry));
        }
      }
    }
    return root.resolve("gatehouse-" + VERSION);
  }

  /** The JDK running the tests, and the product's default JVM options (not the build's). */
  static void productEnvironment(ProcessBuilder pb) {
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().remove("JAVA_OPTS");
    pb.environment().remove("GATEHOUSE_OPTS");
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * {@code bin/gatehouse ARGS} from {@code home}, run in {@code cwd}, output (both streams) in {@code log}. Stop it
   * with {@link Running#close()}.
   */
  static Running start(Path home, Path cwd, Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(home.resolve("bin/gatehouse").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    productEnvironment(pb);
    return new Running(pb.start(), log);
  }

  /** A started {@code bin/gatehouse}. */
  record Running(Process process, Path log) implements AutoCloseable {

    String output() {
      try {
        return Files.exists(log) ? Files.readString(log) : "";
      } catch (IOException e) {
        return "(unreadable " + log + ": " + e + ")";
      }
    }

    /** Waits (at most 60 s) for {@code text} in the output; fails with the output when the process exits first. */
    void awaitLog(String text) throws InterruptedException {
      Poll.until("'" + text + "' in the output", Duration.ofSeconds(60), () -> {
        if (output().contains(text)) {
          return true;
        }
        if (!process.isAlive()) {
          fail("gatehouse exited with " + process.exitValue() + " before '" + text + "':\n" + output());
        }
        return false;
      }, this::output);
    }

    void awaitReady() throws InterruptedException {
      awaitLog("Gatehouse " + VERSION + " ready");
    }

    /** SIGTERM, then SIGKILL when it has not exited within 30 s. */
    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }
}

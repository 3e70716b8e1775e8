package dev.gatehouse.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 9: the example plugin, copied out of the repository as docs/plugins.md suggests, builds with
 * {@code mvn verify} once {@code gateway-api} and {@code gateway-testkit} are in the Maven repository. The test
 * prepares that repository as the documented {@code mvn -pl gateway-api,gateway-testkit -am install} would
 * leave it, from this build's own jars and poms (a throwaway repository, so that nothing older is picked up),
 * with every third-party artifact read from the build's own local repository (a file:// mirror: no network),
 * then builds and tests a copy of the example in a temporary folder.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ExamplePluginOutsideRepositoryIT {

  private static final Path PROJECT = Path.of(System.getProperty("gatehouse.test.project.root", "..")).toAbsolutePath()
      .normalize();
  private static final String VERSION = System.getProperty("gatehouse.test.version", "0.1.0-SNAPSHOT");

  @TempDir Path work;

  /** Puts a module's pom (and jar) where {@code mvn install} would, in the repository {@code repository}. */
  private static void install(Path repository, String artifactId, Path pom, Path jar) throws IOException {
    Path folder = repository.resolve("dev/gatehouse").resolve(artifactId).resolve(VERSION);
    Files.createDirectories(folder);
    Files.copy(pom, folder.resolve(artifactId + "-" + VERSION + ".pom"), StandardCopyOption.REPLACE_EXISTING);
    if (jar != null) {
      assertTrue(Files.isRegularFile(jar), jar + " is not built");
      Files.copy(jar, folder.resolve(artifactId + "-" + VERSION + ".jar"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.filter(f -> !from.relativize(f).startsWith("target")).toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }

  @Test
  void theExamplePluginCopiedOutOfTheRepositoryBuildsAndPassesItsTests() throws Exception {
    String buildRepository = System.getProperty("gatehouse.test.local.repository");
    assertTrue(buildRepository != null && Files.isDirectory(Path.of(buildRepository)),
        "the build's local repository is not known: " + buildRepository);

    Path repository = work.resolve("repository");
    install(repository, "gatehouse-parent", PROJECT.resolve("pom.xml"), null);
    for (String module : List.of("gateway-api", "gateway-core", "gateway-testkit")) {
      install(repository, module, PROJECT.resolve(module).resolve("pom.xml"),
          PROJECT.resolve(module).resolve("target").resolve(module + "-" + VERSION + ".jar"));
    }
    Path settings = work.resolve("settings.xml");
    Files.writeString(settings, """
        <settings>
          <mirrors>
            <mirror>
              <id>the-build-s-local-repository</id>
              <mirrorOf>*</mirrorOf>
              <url>%s</url>
            </mirror>
          </mirrors>
        </settings>
        """.formatted(Path.of(buildRepository).toUri()));

    Path copy = work.resolve("my-plugin");
    copyTree(PROJECT.resolve("examples/plugin-request-id"), copy);

    ProcessBuilder builder = new ProcessBuilder("mvn", "-B", "-q", "-Dstyle.color=never", "-s", settings.toString(),
        "-Dmaven.repo.local=" + repository, "verify")
        .directory(copy.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("mvn.log").toFile());
    builder.environment().remove("MAVEN_OPTS");   // may name another local repository
    builder.environment().remove("MAVEN_ARGS");
    Process maven = builder.start();
    try {
      assertTrue(maven.waitFor(240, TimeUnit.SECONDS), "mvn verify still runs after 240 s");
    } finally {
      maven.destroyForcibly();
    }
    String log = Files.readString(work.resolve("mvn.log"), UTF_8);
    assertEquals(0, maven.exitValue(), log);
    assertFalse(log.contains("Could not find artifact"), log);
    assertTrue(Files.isRegularFile(copy.resolve("target/plugin-request-id-1.0.0.jar")), log);
    assertTrue(hasReports(copy), "the example's tests did not run:\n" + log);
  }

  private static boolean hasReports(Path project) throws IOException {
    Path reports = project.resolve("target/surefire-reports");
    if (!Files.isDirectory(reports)) {
      return false;
    }
    try (Stream<Path> files = Files.list(reports)) {
      return files.anyMatch(f -> f.getFileName().toString().startsWith("TEST-"));
    }
  }
}

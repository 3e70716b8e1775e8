package dev.gatehouse.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.gatehouse.it.DockerEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A backend container for the distribution tests: the busybox image of ./test.sh running {@code httpd} on host
 * networking, bound to 127.0.0.1 (traffic stays on loopback), serving a folder written here and mounted read-only.
 * Its CGI scripts show what the gateway sent:
 * <ul>
 *   <li>{@code /cgi-bin/echo}: {@code uri=}, {@code method=}, {@code length=} and every request header as busybox
 *       passes it ({@code HTTP_X_FORWARDED_PREFIX=/api}), one per line; {@link #parse} reads it</li>
 *   <li>{@code /cgi-bin/auth}: a forwardAuth service: 200 with {@code X-Auth-User: alice} when the request has
 *       {@code X-Api-Key: open-sesame}, else 401 with {@code X-Auth-Reason} and a body</li>
 *   <li>{@code /cgi-bin/fail}: 503; {@code /cgi-bin/slow}: answers after two seconds;
 *       {@code /cgi-bin/page}: an error page naming its query</li>
 *   <li>{@code /big.txt}: {@link #BIG} (compressible text)</li>
 * </ul>
 */
final class EchoContainer {

  /** 8 KiB of text, over compress's default minimum. */
  static final String BIG = "Gatehouse compresses this line for the distribution test.\n".repeat(140);

  private EchoContainer() {
  }

  /**
   * Writes the served folder under {@code dir} and runs the container named {@code name} on {@code port} with
   * {@code labels} ({@code key=value}). The engine removes it when closed.
   */
  static void run(DockerEngine docker, String name, Path dir, int port, List<String> labels) throws IOException {
    Path www = Files.createDirectories(dir.resolve("www-" + name));
    Path cgi = Files.createDirectories(www.resolve("cgi-bin"));
    script(cgi, "echo", """
        printf 'Content-Type: text/plain\\r\\n\\r\\n'
        echo "uri=$REQUEST_URI"
        echo "method=$REQUEST_METHOD"
        echo "length=$CONTENT_LENGTH"
        busybox env | busybox grep '^HTTP_'
        """);
    script(cgi, "auth", """
        if [ "$HTTP_X_API_KEY" = "open-sesame" ]; then
          printf 'Content-Type: text/plain\\r\\nX-Auth-User: alice\\r\\n\\r\\nok\\n'
        else
          printf 'Status: 401 Unauthorized\\r\\nContent-Type: text/plain\\r\\nX-Auth-Reason: no key\\r\\n\\r\\ndenied by auth\\n'
        fi
        """);
    script(cgi, "fail", "printf 'Status: 503 Service Unavailable\\r\\nContent-Type: text/plain\\r\\n\\r\\nbackend failed\\n'\n");
    script(cgi, "slow", "sleep 2\nprintf 'Content-Type: text/plain\\r\\n\\r\\nslow\\n'\n");
    script(cgi, "page", "printf 'Content-Type: text/plain\\r\\n\\r\\n'\necho \"error page for $QUERY_STRING\"\n");
    Files.writeString(www.resolve("big.txt"), BIG);

    List<String> args = new ArrayList<>(List.of("--network", "host", "-v", www + ":/www:ro"));
    for (String label : labels) {
      args.add("-l");
      args.add(label);
    }
    args.addAll(List.of(docker.image(), "httpd", "-f", "-p", "127.0.0.1:" + port, "-h", "/www"));
    docker.run(name, args.toArray(String[]::new));
  }

  private static void script(Path cgi, String name, String body) throws IOException {
    Path file = cgi.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body, UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** The lines of {@code /cgi-bin/echo}, as a map ({@code uri}, {@code method}, {@code HTTP_X_...}). */
  static Map<String, String> parse(String body) {
    Map<String, String> seen = new LinkedHashMap<>();
    for (String line : body.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        seen.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return seen;
  }
}

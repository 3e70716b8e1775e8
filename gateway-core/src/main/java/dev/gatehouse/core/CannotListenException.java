package dev.gatehouse.core;

import dev.gatehouse.core.server.ListenerSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The gateway could not open its entry points: not a configuration error (the same file works once the port is
 * free), so the command line exits 1 for it, as docs/operations.md says. The message says which entry points and
 * why: the address is already in use (and on Linux which process holds it, when that process is visible to this
 * user), or a port below 1024 without the right to it.
 */
public final class CannotListenException extends Exception {

    CannotListenException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The failure of binding {@code listeners}, worded for the user; the Java exception goes to DEBUG only. */
    static CannotListenException of(IOException failure, List<ListenerSpec> listeners) {
        List<String> refused = new ArrayList<>();
        for (ListenerSpec listener : listeners) {
            String reason = listener.port() > 0 ? bindFailure(listener) : null;
            if (reason == null) {
                continue;
            }
            String where = "cannot listen on entry point " + listener.name() + " (" + address(listener) + "): ";
            String fix = "give the entry point another address (--entryPoints." + listener.name() + ".address=:PORT)";
            String lower = reason.toLowerCase(Locale.ROOT);
            if (lower.contains("in use")) {
                String owner = listeningProcess(listener.port());
                refused.add(where + "address already in use" + (owner == null ? "" : " by " + owner)
                        + "; stop what listens there or " + fix);
            } else if (lower.contains("permission denied") || lower.contains("access denied")) {
                refused.add(where + "permission denied (ports below 1024 need root or the CAP_NET_BIND_SERVICE"
                        + " capability); " + fix);
            } else {
                refused.add(where + reason);
            }
        }
        if (!refused.isEmpty()) {
            return new CannotListenException(String.join("\n", refused), failure);
        }
        String reason = failure.getMessage() == null ? "the operating system refused" : failure.getMessage();
        return new CannotListenException("cannot listen on the entry points "
                + listeners.stream().map(l -> l.name() + " (" + address(l) + ")").toList() + ": " + reason, failure);
    }

    private static String address(ListenerSpec listener) {
        return (listener.host() == null ? "" : listener.host()) + ":" + listener.port();
    }

    /**
     * Why the address cannot be bound now, or null when it can (the gateway's own connectors are closed again when
     * this runs, so a failure is someone else's socket or a permission).
     */
    private static String bindFailure(ListenerSpec listener) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(listener.host() == null || listener.host().isEmpty()
                    ? new InetSocketAddress(listener.port()) : new InetSocketAddress(listener.host(), listener.port()));
            return null;
        } catch (IOException e) {
            return e.getMessage() == null ? "the operating system refused" : e.getMessage();
        }
    }

    /**
     * The process listening on a TCP port, as "pid 1234 (java -jar app.jar)", read from /proc: the socket's inode
     * from /proc/net/tcp{,6} (state 0A is LISTEN), then the process with a descriptor on that inode. Null when it
     * cannot tell (not Linux, or a process of another user, whose descriptors are not readable).
     */
    static String listeningProcess(int port) {
        String inode = null;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table), StandardCharsets.US_ASCII)) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 9 && fields[3].equals("0A")
                            && fields[1].toUpperCase(Locale.ROOT).endsWith(String.format(Locale.ROOT, ":%04X", port))) {
                        inode = fields[9];
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                return null;
            }
            if (inode != null) {
                break;
            }
        }
        if (inode == null || inode.equals("0")) {
            return null;
        }
        String target = "socket:[" + inode + "]";
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(process.resolve("fd"))) {
                    for (Path descriptor : descriptors) {
                        if (target.equals(Files.readSymbolicLink(descriptor).toString())) {
                            return "pid " + process.getFileName() + commandOf(process);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // another user's process, or one that just ended
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    private static String commandOf(Path process) {
        try {
            String command = new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replaceAll("\\p{Cntrl}+", " ").trim();
            if (command.length() > 80) {
                command = command.substring(0, 77) + "...";
            }
            return command.isEmpty() ? "" : " (" + command + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}

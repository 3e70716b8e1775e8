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
 * free), so the command line exits 1 for it, as docs/operations.md says. The message says which entry points, that
 * the address is already in use, and on Linux which process holds it when that process is visible to this user.
 */
public final class CannotListenException extends Exception {

    CannotListenException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The failure of binding {@code listeners}, worded for the user; the Java exception goes to DEBUG only. */
    static CannotListenException of(IOException failure, List<ListenerSpec> listeners) {
        List<String> inUse = new ArrayList<>();
        for (ListenerSpec listener : listeners) {
            if (listener.port() > 0 && !canBind(listener)) {
                String owner = listeningProcess(listener.port());
                inUse.add("cannot listen on entry point " + listener.name() + " (" + address(listener)
                        + "): address already in use" + (owner == null ? "" : " by " + owner)
                        + "; stop what listens there or give the entry point another address (--entryPoints."
                        + listener.name() + ".address=:PORT)");
            }
        }
        if (!inUse.isEmpty()) {
            return new CannotListenException(String.join("\n", inUse), failure);
        }
        String reason = failure.getMessage() == null ? "the operating system refused" : failure.getMessage();
        return new CannotListenException("cannot listen on the entry points "
                + listeners.stream().map(l -> l.name() + " (" + address(l) + ")").toList() + ": " + reason, failure);
    }

    private static String address(ListenerSpec listener) {
        return (listener.host() == null ? "" : listener.host()) + ":" + listener.port();
    }

    /** Whether the address is free now (the gateway's own connectors are closed again when this runs). */
    private static boolean canBind(ListenerSpec listener) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(listener.host() == null || listener.host().isEmpty()
                    ? new InetSocketAddress(listener.port()) : new InetSocketAddress(listener.host(), listener.port()));
            return true;
        } catch (IOException e) {
            return false;
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

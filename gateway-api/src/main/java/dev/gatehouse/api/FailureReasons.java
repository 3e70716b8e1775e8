package dev.gatehouse.api;

import java.net.ConnectException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/**
 * Why something failed, in words an operator reads in the log (for the core and for plugins, so that every WARN
 * line reads alike): a Java class name ({@code
 * java.nio.file.NoSuchFileException: /x}) means nothing to someone running the gateway, so the well-known failures
 * anywhere in the chain of causes are named (refused, timed out, no such file, permission denied), and otherwise the
 * innermost message is given without a leading class name. The class name stays for a failure with no message at
 * all, as the only clue there is.
 */
public final class FailureReasons {

    private FailureReasons() {
    }

    public static String of(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        for (Throwable t : chain) {
            if (t instanceof ConnectException) {
                return messageOr(t, "connection refused");
            }
            if (t instanceof HttpTimeoutException || t instanceof SocketTimeoutException) {
                return messageOr(t, "timed out");
            }
            if (t instanceof PortUnreachableException) {
                return messageOr(t, "port unreachable");
            }
            if (t instanceof NoSuchFileException missing) {
                return "no such file or folder: " + missing.getFile();
            }
            if (t instanceof AccessDeniedException denied) {
                return "permission denied: " + denied.getFile();
            }
            if (t instanceof FileSystemException other && other.getReason() != null) {
                return other.getReason() + ": " + other.getFile();
            }
        }
        for (int i = chain.size() - 1; i >= 0; i--) {
            String message = chain.get(i).getMessage();
            if (message != null && !message.isBlank()) {
                return withoutClassName(message);
            }
        }
        return "failed (" + failure.getClass().getSimpleName() + ")";
    }

    private static String messageOr(Throwable t, String otherwise) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? otherwise : withoutClassName(message);
    }

    private static String withoutClassName(String message) {
        return message.replaceFirst("^([a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*: ", "");
    }
}

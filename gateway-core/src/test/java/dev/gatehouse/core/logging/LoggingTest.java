package dev.gatehouse.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        Logging.configure("INFO", "text");
    }

    private String logged() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonFormatWritesOneObjectPerLineWithTraefiksKeys() {
        Logging.configure("INFO", "json", new PrintStream(out, true, StandardCharsets.UTF_8));
        LoggerFactory.getLogger("dev.gatehouse.test").info("router {} \"quoted\"\nnext", "app@file");
        String line = logged().strip();
        assertFalse(line.contains("\n"), "one line per record: " + line);
        assertTrue(line.startsWith("{\"time\":\""), line);
        assertTrue(line.contains("\"level\":\"info\""), line);
        assertTrue(line.contains("\"msg\":\"router app@file \\\"quoted\\\"\\nnext\""), line);
        assertTrue(line.endsWith("}"), line);
    }

    @Test
    void textFormatNamesLevelAndLogger() {
        Logging.configure("INFO", "text", new PrintStream(out, true, StandardCharsets.UTF_8));
        LoggerFactory.getLogger("dev.gatehouse.core.Thing").warn("careful");
        assertTrue(logged().matches("\\d{4}-\\d\\d-\\d\\dT[^ ]+ WARN  \\[Thing] careful\\n"), logged());
    }

    @Test
    void theLevelFiltersAndLibrariesStayQuietAtInfo() {
        Logging.configure("WARN", "text", new PrintStream(out, true, StandardCharsets.UTF_8));
        LoggerFactory.getLogger("dev.gatehouse.test").info("hidden");
        LoggerFactory.getLogger("dev.gatehouse.test").error("shown");
        assertFalse(logged().contains("hidden"));
        assertTrue(logged().contains("shown"));

        out.reset();
        Logging.configure("INFO", "text", new PrintStream(out, true, StandardCharsets.UTF_8));
        System.gc();   // the library levels must survive collection of unreferenced JUL loggers
        LoggerFactory.getLogger("org.eclipse.jetty.server.Server").info("Started Server");
        assertEquals("", logged());
        Logging.configure("DEBUG", "text", new PrintStream(out, true, StandardCharsets.UTF_8));
        LoggerFactory.getLogger("org.eclipse.jetty.server.Server").debug("details");
        assertTrue(logged().contains("details"));
    }
}

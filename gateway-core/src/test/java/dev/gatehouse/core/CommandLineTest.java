package dev.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How the arguments are read; the process test (integration-tests' CommandLineProcessTest) checks what is printed. */
class CommandLineTest {

    @Test
    void traefikStyleFlagsPassThroughUntouchedToTheConfiguration() {
        CommandLine.Parsed parsed = CommandLine.parse(List.of("--entrypoints.web.address=:80", "--api.insecure",
                "--configFile=traefik.yml", "--providers.docker.exposedByDefault=false"));
        assertEquals("run", parsed.command());
        assertEquals(List.of("--entrypoints.web.address=:80", "--api.insecure", "--configFile=traefik.yml",
                "--providers.docker.exposedByDefault=false"), parsed.flags());
        assertFalse(parsed.help());
        assertTrue(parsed.usageErrors().isEmpty());
    }

    @Test
    void helpAndVersionAreFoundAnywhere() {
        assertTrue(CommandLine.parse(List.of("--configFile=/opt/gatehouse/conf/gatehouse.yml", "-h")).help());
        assertEquals("version", CommandLine.parse(List.of("--configFile=x.yml", "--version")).command());
        CommandLine.Parsed helpCheck = CommandLine.parse(List.of("help", "check"));
        assertEquals("check", helpCheck.command());
        assertTrue(helpCheck.help() && helpCheck.named());
        CommandLine.Parsed general = CommandLine.parse(List.of("help"));
        assertTrue(general.help() && !general.named());
    }

    @Test
    void aCommandMayFollowTheLaunchersConfigFileFlag() {
        CommandLine.Parsed parsed = CommandLine.parse(List.of("--configFile=conf/gatehouse.yml", "--log.level=DEBUG",
                "check"));
        assertEquals("check", parsed.command());
        assertEquals(List.of("--configFile=conf/gatehouse.yml", "--log.level=DEBUG"), parsed.flags());
    }

    @Test
    void wrongArgumentsSayWhatToWrite() {
        assertEquals(List.of("argument '-configFile=a.yml': flags start with two dashes; did you mean '--configFile=a.yml'?"),
                CommandLine.parse(List.of("-configFile=a.yml")).usageErrors());
        assertEquals(List.of("flag --configfil=a.yml: unknown flag '--configfil'; did you mean '--configFile'?"),
                CommandLine.parse(List.of("--configfil=a.yml")).usageErrors());
        assertTrue(CommandLine.unknownCommand("helthcheck").contains("did you mean 'healthcheck'?"));
    }
}

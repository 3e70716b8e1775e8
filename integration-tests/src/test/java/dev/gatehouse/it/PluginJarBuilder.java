package dev.gatehouse.it;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Builds a PF4J plugin jar at test time, as a third party would ship one: Java sources compiled against
 * the test class path (gateway-api, Jetty, PF4J), PF4J's annotation processor writing
 * {@code META-INF/extensions.idx} for the {@code @Extension} classes, and a manifest with the plugin's id.
 *
 * <pre>{@code
 * PluginJarBuilder.plugin("test-plugin", "1.0.0")
 *         .source("com.example.AddHeader", "package com.example; ...")
 *         .writeTo(gateway.pluginsDir().resolve("test-plugin.jar"));
 * }</pre>
 */
public final class PluginJarBuilder {

    private final String id;
    private final String version;
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Set<String> omitted = new HashSet<>();
    private final List<Path> libraries = new ArrayList<>();
    private String pluginClass;
    private String requires;
    private boolean pluginManifest = true;

    private PluginJarBuilder(String id, String version) {
        this.id = id;
        this.version = version;
    }

    public static PluginJarBuilder plugin(String id, String version) {
        return new PluginJarBuilder(id, version);
    }

    /** Adds a compilation unit; {@code className} is the fully qualified name of its top-level class. */
    public PluginJarBuilder source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** Sets the manifest's {@code Plugin-Class} (a subclass of {@code org.pf4j.Plugin}). */
    public PluginJarBuilder pluginClass(String className) {
        this.pluginClass = className;
        return this;
    }

    /** Sets the manifest's {@code Plugin-Requires}: the Gatehouse API range the plugin needs. */
    public PluginJarBuilder requires(String range) {
        this.requires = range;
        return this;
    }

    /**
     * Bundles a library inside the plugin jar, unrelocated (what a "fat jar" does): the sources compile
     * against it ahead of the test class path, and its classes go into the jar.
     */
    public PluginJarBuilder library(Path jar) {
        libraries.add(jar);
        return this;
    }

    /** Compiles the class but leaves it (and its nested classes) out of the jar. */
    public PluginJarBuilder omitFromJar(String className) {
        omitted.add(className);
        return this;
    }

    /** Writes a plain manifest, without the PF4J {@code Plugin-*} attributes. */
    public PluginJarBuilder withoutPluginManifest() {
        this.pluginManifest = false;
        return this;
    }

    /** Compiles and writes the jar; returns {@code jar}. */
    public Path writeTo(Path jar) {
        try {
            Path classes = Files.createTempDirectory("plugin-" + id + "-classes");
            compile(classes);
            writeJar(classes, jar);
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void compile(Path classes) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no Java compiler: the tests need a JDK, not a JRE");
        }
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((className, code) -> units.add(new Source(className, code)));
        List<String> options = List.of(
                "-classpath", classPath(),
                "-d", classes.toString(),
                // Named explicitly: newer JDKs run no processor found on the class path by themselves.
                "-processor", "org.pf4j.processor.ExtensionAnnotationProcessor");
        StringWriter messages = new StringWriter();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            boolean ok = compiler.getTask(messages, files, null, options, null, units).call();
            if (!ok) {
                throw new IllegalStateException("plugin " + id + " does not compile:\n" + messages);
            }
        }
    }

    private void writeJar(Path classes, Path jar) throws IOException {
        Manifest manifest = new Manifest();
        Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (pluginManifest) {
            attributes.putValue("Plugin-Id", id);
            attributes.putValue("Plugin-Version", version);
            if (pluginClass != null) {
                attributes.putValue("Plugin-Class", pluginClass);
            }
            if (requires != null) {
                attributes.putValue("Plugin-Requires", requires);
            }
        }
        Files.createDirectories(jar.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(jar);
             JarOutputStream jarOut = new JarOutputStream(out, manifest);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                String entry = classes.relativize(file).toString().replace(File.separatorChar, '/');
                if (isOmitted(entry)) {
                    continue;
                }
                jarOut.putNextEntry(new JarEntry(entry));
                jarOut.write(Files.readAllBytes(file));
                jarOut.closeEntry();
            }
            for (Path library : libraries) {
                copyClasses(library, jarOut);
            }
        }
    }

    private static void copyClasses(Path library, JarOutputStream jarOut) throws IOException {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(library.toFile())) {
            for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                if (entry.isDirectory() || entry.getName().startsWith("META-INF/")) {
                    continue;
                }
                jarOut.putNextEntry(new JarEntry(entry.getName()));
                try (java.io.InputStream in = jar.getInputStream(entry)) {
                    in.transferTo(jarOut);
                }
                jarOut.closeEntry();
            }
        }
    }

    private String classPath() {
        List<String> entries = new ArrayList<>();
        libraries.forEach(library -> entries.add(library.toString()));
        entries.add(testClassPath());
        return String.join(File.pathSeparator, entries);
    }

    private boolean isOmitted(String entry) {
        for (String className : omitted) {
            String base = className.replace('.', '/');
            if (entry.equals(base + ".class") || entry.startsWith(base + "$")) {
                return true;
            }
        }
        return false;
    }

    /** The class path the tests run with (surefire may hide it behind a manifest-only jar). */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String className, String code) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }
}

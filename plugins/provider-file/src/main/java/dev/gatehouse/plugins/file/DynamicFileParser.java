package dev.gatehouse.plugins.file;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the bytes of one dynamic file into a plain tree ({@code Map}, {@code List}, scalars), or into
 * one sentence saying why it could not. It knows the file formats, not what a router is.
 */
final class DynamicFileParser {

    /** The top-level sections of Traefik's dynamic configuration. */
    static final List<String> SECTIONS = List.of("http", "tcp", "udp", "tls");

    private final ObjectMapper yaml;
    private final ObjectMapper toml;

    DynamicFileParser() {
        // A key written twice is a mistake the user should see (Traefik's YAML decoder refuses it too),
        // not a silent "last one wins".
        this.yaml = YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
        this.toml = TomlMapper.builder().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
    }

    /** Whether a file name has one of the extensions this provider reads. */
    static boolean isDynamicFile(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        return name.endsWith(".yml") || name.endsWith(".yaml") || name.endsWith(".toml");
    }

    /**
     * The result of parsing one file.
     *
     * @param content the tree, with only the known sections; null when the file could not be parsed
     * @param errors complete sentences naming the file; a parse failure is the only error when content is null
     */
    record Result(Map<String, Object> content, List<String> errors) {
        boolean parsed() {
            return content != null;
        }
    }

    Result parse(Path file, byte[] bytes) {
        ObjectMapper mapper = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".toml") ? toml : yaml;
        JsonNode root;
        try {
            root = mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            return new Result(null, List.of(syntaxError(file, e)));
        } catch (IOException | RuntimeException e) {
            // Parsers occasionally fail with an unchecked exception on odd input; it is still the file's fault.
            return new Result(null, List.of(file + ": cannot be parsed: " + e.getMessage() + "."));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new Result(Map.of(), List.of()); // an empty file, or comments only
        }
        if (!root.isObject()) {
            return new Result(null, List.of(file + ": the top level must be a mapping of sections (http, tls, ...), not "
                    + describe(root) + "."));
        }
        Map<String, Object> content = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String section = entry.getKey().toLowerCase(Locale.ROOT);
            if (!SECTIONS.contains(section)) {
                errors.add(file + ": unknown top-level key \"" + entry.getKey()
                        + "\" (expected http, tcp, udp or tls); it is ignored.");
            } else if (content.containsKey(section)) {
                // Keys are matched without regard to case, as Traefik does, so "HTTP" and "http" collide.
                errors.add(file + ": top-level key \"" + entry.getKey() + "\" repeats \"" + section
                        + "\"; the second one is ignored.");
            } else if (!entry.getValue().isNull()) { // "http:" with nothing below it is an empty section
                content.put(section, toPlain(entry.getValue()));
            }
        }
        return new Result(Collections.unmodifiableMap(content), List.copyOf(errors));
    }

    /** "a.yml: line 3, column 7: mapping values are not allowed here." */
    private static String syntaxError(Path file, JsonProcessingException e) {
        StringBuilder sentence = new StringBuilder().append(file).append(": ");
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            sentence.append("line ").append(location.getLineNr());
            if (location.getColumnNr() > 0) {
                sentence.append(", column ").append(location.getColumnNr());
            }
            sentence.append(": ");
        }
        sentence.append(reason(e));
        if (sentence.charAt(sentence.length() - 1) != '.') {
            sentence.append('.');
        }
        return sentence.toString();
    }

    /**
     * The parser's reason on one line. Jackson's messages carry a source excerpt and SnakeYAML's span
     * several lines with a caret drawing; the position is already in the sentence, so only the words stay.
     */
    static String reason(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        List<String> words = new ArrayList<>();
        for (String line : message.split("\\R")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("in 'reader'") || trimmed.startsWith("in '")
                    || trimmed.startsWith("at [Source") || trimmed.chars().allMatch(c -> c == '^')
                    || (line.startsWith(" ") && !words.isEmpty())) {
                continue; // positions, carets and quoted source lines
            }
            words.add(trimmed);
        }
        String joined = String.join("; ", words);
        return joined.isEmpty() ? message.strip() : joined;
    }

    private static String describe(JsonNode node) {
        if (node.isArray()) {
            return "a list";
        }
        return "a single value (" + node.asText() + ")";
    }

    /** A tree of unmodifiable maps and lists, in the file's order, holding strings, numbers, booleans and nulls. */
    static Object toPlain(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> map.put(e.getKey(), toPlain(e.getValue())));
            return Collections.unmodifiableMap(map);
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(element -> list.add(toPlain(element)));
            return Collections.unmodifiableList(list);
        }
        if (node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.numberValue();
        }
        return node.asText(); // strings, and anything a format reads as text (TOML dates, YAML binary)
    }
}

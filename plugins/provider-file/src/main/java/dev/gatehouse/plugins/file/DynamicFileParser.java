package dev.gatehouse.plugins.file;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.toml.TomlFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.gatehouse.api.config.ConfigurationLimits;
import dev.gatehouse.api.config.KeyLines;
import dev.gatehouse.api.config.TomlKeyLines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Turns the bytes of one dynamic file into a plain tree ({@code Map}, {@code List}, scalars), or into
 * one sentence saying why it could not. It knows the file formats, not what a router is.
 */
final class DynamicFileParser {

    /** The top-level sections of Traefik's dynamic configuration. */
    static final List<String> SECTIONS = List.of("http", "tcp", "udp", "tls");

    // YAML 1.2 booleans only (true/false), as Traefik's YAML decoder: a header value "on" stays the word "on".
    // An empty value ("middlewares:") is null, as YAML says, not an empty string.
    // Within ConfigurationLimits: Jackson bounds values, names and nesting as it reads (SnakeYAML's own document
    // limit, 3 million characters by default, is raised to the file limit, which is checked first).
    private final YAMLFactory yaml = YAMLFactory.builder()
            .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .loaderOptions(loaderOptions())
            .streamReadConstraints(readConstraints())
            .build();
    private final TomlFactory toml = TomlFactory.builder().streamReadConstraints(readConstraints()).build();

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit((int) ConfigurationLimits.MAX_FILE_BYTES);
        return options;
    }

    private static StreamReadConstraints readConstraints() {
        return StreamReadConstraints.builder()
                .maxStringLength(ConfigurationLimits.MAX_VALUE_CHARS)
                .maxNameLength(ConfigurationLimits.MAX_VALUE_CHARS)
                .maxNumberLength(1000)
                .maxNestingDepth(ConfigurationLimits.MAX_NESTING_DEPTH)
                .build();
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
        boolean isToml = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".toml");
        String sizeProblem = ConfigurationLimits.sizeProblem(bytes.length);
        if (sizeProblem == null) {
            sizeProblem = ConfigurationLimits.lineProblem(bytes);
        }
        if (sizeProblem != null) {
            return new Result(null, List.of(file + ": " + sizeProblem + "."));
        }
        List<String> errors = new ArrayList<>();
        Object root;
        KeyLines lines;
        try (JsonParser parser = isToml ? toml.createParser(bytes) : yaml.createParser(bytes)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new Result(Map.of(), List.of()); // an empty file, or comments only
            }
            TreeReader reader = new TreeReader(parser);
            root = reader.read();
            // The TOML reader gives no positions: its lines come from a scan of the text.
            lines = isToml ? TomlKeyLines.of(bytes) : new TreeLines(root, reader.lineTables);
            if (parser.nextToken() != null) {
                // Traefik reads the first YAML document only; say so instead of dropping the rest quietly.
                errors.add(file + ": holds more than one YAML document (---); only the first one is read.");
            }
        } catch (StreamConstraintsException e) {
            String problem = String.valueOf(e.getOriginalMessage()).contains("nesting depth")
                    ? ConfigurationLimits.nestingProblem() : ConfigurationLimits.valueProblem();
            return new Result(null, List.of(file + ": " + at(e.getLocation()) + problem + "."));
        } catch (IOException e) {
            String encoding = ConfigurationLimits.encodingProblem(e);
            if (encoding != null) {
                return new Result(null, List.of(file + ": " + encoding + "."));
            }
            if (e instanceof JsonProcessingException syntax) {
                return new Result(null, List.of(syntaxError(file, isToml ? "TOML" : "YAML", syntax)));
            }
            return new Result(null, List.of(file + ": cannot be parsed: " + e + "."));
        } catch (RuntimeException | StackOverflowError e) {
            // Parsers occasionally fail with an unchecked exception on odd input; it is still the file's fault.
            return new Result(null, List.of(file + ": cannot be parsed: " + e + "."));
        }
        if (root == null) {
            return new Result(Map.of(), List.copyOf(errors)); // "~" or "null" alone
        }
        if (!(root instanceof Map)) {
            return new Result(null, List.of(file + ": the top level must be a mapping of sections (http, tls, ...), not "
                    + (root instanceof List ? "a list" : "a single value (" + root + ")") + "."));
        }
        Map<String, Object> content = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> top = (Map<String, Object>) root;
        top.forEach((key, value) -> {
            String section = key.toLowerCase(Locale.ROOT);
            if (!SECTIONS.contains(section)) {
                errors.add(file + ": unknown top-level key \"" + key + "\" (expected http, tcp, udp or tls); it is ignored.");
            } else if (content.containsKey(section)) {
                // Keys are matched without regard to case, as Traefik does, so "HTTP" and "http" collide.
                errors.add(file + ": top-level key \"" + key + "\" repeats \"" + section + "\"; the second one is ignored.");
            } else if (value != null) { // "http:" with nothing below it is an empty section
                content.put(section, value);
            }
        });
        return new Result(new LinedContent(Collections.unmodifiableMap(content), lines), List.copyOf(errors));
    }

    /** "line 3: ", or nothing when the parser gave no position. */
    private static String at(JsonLocation location) {
        return location != null && location.getLineNr() > 0 ? "line " + location.getLineNr() + ": " : "";
    }

    /** "a.yml: line 3, column 7: mapping values are not allowed here." */
    private static String syntaxError(Path file, String format, JsonProcessingException e) {
        StringBuilder sentence = new StringBuilder().append(file).append(": ").append(format).append(" error at ");
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            sentence.append("line ").append(location.getLineNr());
            if (location.getColumnNr() > 0) {
                sentence.append(", column ").append(location.getColumnNr());
            }
        } else {
            sentence.append("an unknown position");
        }
        sentence.append(": ").append(reason(e));
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

    /** A parse problem found above the parser: a duplicate key, an unknown alias. */
    private static final class TreeException extends JsonProcessingException {
        TreeException(String message, JsonLocation location) {
            super(message, location);
        }
    }

    /**
     * Builds unmodifiable maps and lists, in the file's order, of strings, numbers, booleans and nulls,
     * from a parser's tokens. Reading tokens rather than a Jackson tree lets YAML anchors, aliases and
     * merge keys ({@code <<: *defaults}) work as in Traefik, and reports duplicate keys in plain words.
     */
    private static final class TreeReader {
        private final JsonParser parser;
        private final YAMLParser yaml;
        private final Map<String, Object> anchors = new HashMap<>();
        /** The lines of the keys or items of each mapping and list read, by the tree's node: see {@link TreeLines}. */
        final Map<Object, Object> lineTables = new IdentityHashMap<>();
        /** How many values each anchor's tree holds, so that an alias counts as the copy it stands for. */
        private final Map<String, Long> anchorSizes = new HashMap<>();
        /** Values read so far, aliases counted expanded: bounds "billion laughs" before anything expands them. */
        private long values;

        TreeReader(JsonParser parser) {
            this.parser = parser;
            this.yaml = parser instanceof YAMLParser y ? y : null;
        }

        /** Reads the value at the current token, leaving the parser on its last token. */
        Object read() throws IOException {
            if (yaml != null && yaml.isCurrentAlias()) {
                String name = parser.getText();
                if (!anchors.containsKey(name)) {
                    throw new TreeException("unknown alias *" + name + " (no anchor &" + name + " before it)",
                            parser.currentTokenLocation());
                }
                count(anchorSizes.get(name));
                return anchors.get(name);
            }
            String anchor = yaml == null ? null : yaml.getCurrentAnchor();
            long valuesBefore = values;
            count(1);
            Object value = switch (parser.currentToken()) {
                case START_OBJECT -> readObject();
                case START_ARRAY -> readArray();
                case VALUE_NULL -> null;
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue();
                default -> text(); // strings, and what a format reads as text (TOML dates)
            };
            if (anchor != null) {
                anchors.put(anchor, value);
                anchorSizes.put(anchor, values - valuesBefore);
            }
            return value;
        }

        private void count(long more) throws TreeException {
            values += more;
            if (values > ConfigurationLimits.MAX_VALUES) {
                throw new TreeException(ConfigurationLimits.valueCountProblem(), parser.currentTokenLocation());
            }
        }

        /** The current text; Jackson's YAML parser does not bound it, block scalars being read line by line. */
        private String text() throws IOException {
            String text = parser.getText();
            if (text != null && text.length() > ConfigurationLimits.MAX_VALUE_CHARS) {
                throw new TreeException(ConfigurationLimits.valueProblem(), parser.currentTokenLocation());
            }
            return text;
        }

        private Map<String, Object> readObject() throws IOException {
            Map<String, Object> map = new LinkedHashMap<>();
            List<Object> merges = new ArrayList<>();
            List<JsonLocation> mergesAt = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            int[] keyLines = new int[4];
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                JsonLocation where = parser.currentTokenLocation();
                parser.nextToken();
                int line = lineOfValueAt(where);
                Object value = read();
                if (yaml != null && "<<".equals(key)) {
                    merges.add(value);
                    mergesAt.add(where);
                } else if (map.containsKey(key)) {
                    throw new TreeException("duplicate key \"" + key + "\"", where);
                } else {
                    map.put(key, value);
                    if (keys.size() == keyLines.length) {
                        keyLines = Arrays.copyOf(keyLines, keyLines.length * 2);
                    }
                    keyLines[keys.size()] = line;
                    keys.add(key);
                }
            }
            for (int m = 0; m < merges.size(); m++) { // YAML merge keys: keys written in the mapping itself win
                Object merge = merges.get(m);
                // A merge key with no value ("<<:") is null: a single null source, refused below like any non-mapping.
                for (Object source : merge instanceof List<?> list ? list : Collections.singletonList(merge)) {
                    if (!(source instanceof Map<?, ?> sourceMap)) {
                        throw new TreeException("the merge key << takes a mapping or a list of mappings",
                                mergesAt.get(m));
                    }
                    sourceMap.forEach((k, v) -> map.putIfAbsent((String) k, v));
                }
            }
            Map<String, Object> node = Collections.unmodifiableMap(map);
            lineTables.put(node, new KeyLineTable(keys.toArray(String[]::new), Arrays.copyOf(keyLines, keys.size())));
            return node;
        }

        /**
         * The line to note for the value at the current token, written at {@code where}: 0 when unknown, negative
         * when the value is an alias (its tree's own lines are those of the anchor, elsewhere in the file).
         */
        private int lineOfValueAt(JsonLocation where) {
            int line = where != null && where.getLineNr() > 0 ? where.getLineNr() : 0;
            return yaml != null && yaml.isCurrentAlias() ? -line : line;
        }

        private List<Object> readArray() throws IOException {
            List<Object> list = new ArrayList<>();
            int[] itemLines = new int[4];
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                int line = lineOfValueAt(parser.currentTokenLocation());
                if (list.size() == itemLines.length) {
                    itemLines = Arrays.copyOf(itemLines, itemLines.length * 2);
                }
                itemLines[list.size()] = line;
                list.add(read());
            }
            List<Object> node = Collections.unmodifiableList(list);
            lineTables.put(node, Arrays.copyOf(itemLines, list.size()));
            return node;
        }
    }

    /**
     * The lines of one mapping's own keys, in the order they were written (keys a merge {@code <<} brought in have
     * none: they were written with their anchor). Large mappings (a section of 10,000 routers) get an index.
     */
    private static final class KeyLineTable {
        private static final int INDEXED_FROM = 16;
        private final String[] keys;
        private final int[] lines;
        private final Map<String, Integer> index;

        KeyLineTable(String[] keys, int[] lines) {
            this.keys = keys;
            this.lines = lines;
            if (keys.length < INDEXED_FROM) {
                index = null;
            } else {
                index = new HashMap<>(keys.length * 4 / 3 + 1);
                for (int i = 0; i < keys.length; i++) {
                    index.put(keys[i], i);
                }
            }
        }

        /**
         * The position of {@code key}, matched exactly, else without regard to case as keys bind (the last such
         * key, as a later key of a differently cased pair is the one that binds); -1 when there is none.
         */
        int positionOf(String key) {
            if (index != null) {
                Integer at = index.get(key);
                if (at != null) {
                    return at;
                }
            } else {
                for (int i = 0; i < keys.length; i++) {
                    if (keys[i].equals(key)) {
                        return i;
                    }
                }
            }
            for (int i = keys.length - 1; i >= 0; i--) {
                if (keys[i].equalsIgnoreCase(key)) {
                    return i;
                }
            }
            return -1;
        }

        String key(int position) {
            return keys[position];
        }

        int line(int position) {
            return lines[position];
        }
    }

    /**
     * The lines of a parsed YAML tree, found by walking the tree along a path: the line noted for the last key or
     * item reached. Kept beside the tree, by its nodes, rather than as a table of every key's full path (which cost
     * a string and a map entry per key: a tenth of a large file's parse, and as much memory as the tree).
     */
    private static final class TreeLines implements KeyLines {
        private final Object root;
        private final Map<Object, Object> lineTables;

        TreeLines(Object root, Map<Object, Object> lineTables) {
            this.root = root;
            this.lineTables = lineTables;
        }

        @Override
        public int lineOf(List<String> path) {
            Object node = root;
            int line = 0;
            for (String segment : path) {
                Object table = lineTables.get(node);
                int found;
                if (node instanceof Map<?, ?> map && table instanceof KeyLineTable keys) {
                    int position = keys.positionOf(segment);
                    if (position < 0) {
                        break;
                    }
                    found = keys.line(position);
                    node = map.get(keys.key(position));
                } else if (node instanceof List<?> list && table instanceof int[] items) {
                    int position = itemPosition(segment);
                    if (position < 0 || position >= items.length) {
                        break;
                    }
                    found = items[position];
                    node = list.get(position);
                } else {
                    break;
                }
                if (found == 0) {
                    break; // brought in by a merge key: the nearest line is the mapping's
                }
                line = Math.abs(found);
                if (found < 0) {
                    break; // an alias: below it are the anchor's keys, written elsewhere
                }
            }
            return line;
        }

        /** 3 for {@code [3]}; -1 for anything else. */
        private static int itemPosition(String segment) {
            if (segment.length() < 3 || segment.charAt(0) != '[' || segment.charAt(segment.length() - 1) != ']') {
                return -1;
            }
            try {
                return Integer.parseInt(segment, 1, segment.length() - 1, 10);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /**
     * A file's top-level sections, with the line of each key, so that the gateway names the line of each problem
     * it finds in them. Reads as the unmodifiable map it wraps.
     */
    static final class LinedContent extends AbstractMap<String, Object> implements KeyLines {
        private final Map<String, Object> content;
        private final KeyLines lines;

        LinedContent(Map<String, Object> content, KeyLines lines) {
            this.content = content;
            this.lines = lines;
        }

        @Override
        public Set<Map.Entry<String, Object>> entrySet() {
            return content.entrySet();
        }

        @Override
        public Object get(Object key) {
            return content.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return content.containsKey(key);
        }

        @Override
        public int lineOf(List<String> path) {
            return lines.lineOf(path);
        }
    }
}

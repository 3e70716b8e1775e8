package dev.gatehouse.api.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The line of each key of a TOML document, for error messages: the TOML reader (Jackson's) builds its tree
 * before it hands out tokens, so it reports no positions. Reads table headers ({@code [a.b]}), arrays of tables
 * ({@code [[a.b]]}, whose items become {@code a.b[0]}, {@code a.b[1]}...) and {@code key = value} lines with
 * bare, quoted and dotted keys, and skips the inside of multi-line strings and arrays. Keys inside inline tables
 * get the line of the key that holds the table. Best effort: a document it misreads gives fewer lines, never an
 * error (the parser reports syntax errors).
 *
 * <pre>{@code
 * KeyLines lines = TomlKeyLines.of(content);
 * int line = lines.lineOf(List.of("entryPoints", "web", "adress"));   // 2 for "[entryPoints.web]\nadress = ..."
 * }</pre>
 */
public final class TomlKeyLines implements KeyLines {

    private final Map<String, Integer> lines;

    private TomlKeyLines(Map<String, Integer> lines) {
        this.lines = lines;
    }

    /** Indexes {@code content}, UTF-8 TOML; linear in its size. */
    public static TomlKeyLines of(byte[] content) {
        Map<String, Integer> lines = new HashMap<>();
        Map<String, Integer> arrayItems = new HashMap<>();
        List<String> table = List.of();
        String closing = null; // what ends the multi-line string or array being skipped
        String[] text = new String(content, StandardCharsets.UTF_8).split("\r?\n", -1);
        for (int n = 0; n < text.length; n++) {
            String line = text[n];
            if (closing != null) {
                if (closes(line, closing)) {
                    closing = null;
                }
                continue;
            }
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.startsWith("[[")) {
                List<String> header = keys(trimmed.substring(2, Math.max(2, trimmed.indexOf("]]"))));
                String headerKey = key(header);
                int index = arrayItems.merge(headerKey, 1, Integer::sum) - 1;
                List<String> item = new ArrayList<>(header);
                item.set(item.size() - 1, item.get(item.size() - 1) + "[" + index + "]");
                table = item;
                record(lines, table, n + 1);
                continue;
            }
            if (trimmed.startsWith("[")) {
                table = keys(trimmed.substring(1, Math.max(1, trimmed.indexOf(']'))));
                table = rebase(table, arrayItems);
                record(lines, table, n + 1);
                continue;
            }
            int equals = keyEnd(trimmed);
            if (equals < 0) {
                continue;
            }
            List<String> path = new ArrayList<>(table);
            path.addAll(keys(trimmed.substring(0, equals)));
            record(lines, path, n + 1);
            String value = trimmed.substring(equals + 1).strip();
            if (value.startsWith("\"\"\"") && !closes(value.substring(3), "\"\"\"")) {
                closing = "\"\"\"";
            } else if (value.startsWith("'''") && !closes(value.substring(3), "'''")) {
                closing = "'''";
            } else if (value.startsWith("[") && depth(value) > 0) {
                closing = "]";
            }
        }
        return new TomlKeyLines(lines);
    }

    @Override
    public int lineOf(List<String> path) {
        for (int n = path.size(); n > 0; n--) {
            Integer line = lines.get(key(path.subList(0, n)));
            if (line != null) {
                return line;
            }
        }
        return 0;
    }

    /** A sub-table of an array of tables ({@code [a.b.c]} after {@code [[a.b]]}) belongs to its last item. */
    private static List<String> rebase(List<String> table, Map<String, Integer> arrayItems) {
        List<String> out = new ArrayList<>(table);
        for (int i = 0; i < out.size(); i++) {
            Integer count = arrayItems.get(key(table.subList(0, i + 1)));
            if (count != null && i < out.size() - 1) {
                out.set(i, out.get(i) + "[" + (count - 1) + "]");
            }
        }
        return out;
    }

    private static void record(Map<String, Integer> lines, List<String> path, int line) {
        for (int n = 1; n <= path.size(); n++) {
            lines.putIfAbsent(key(path.subList(0, n)), line);
        }
    }

    /** Where the key of a {@code key = value} line ends (its {@code =}, outside quotes), or -1. */
    private static int keyEnd(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '=') {
                return i;
            }
        }
        return -1;
    }

    /** The keys of a dotted key: {@code a."b.c".d} is a, b.c, d. */
    private static List<String> keys(String dotted) {
        List<String> keys = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < dotted.length(); i++) {
            char c = dotted.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    current.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '.') {
                keys.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        keys.add(current.toString().strip());
        return keys;
    }

    private static boolean closes(String line, String closing) {
        return closing.equals("]") ? depth(line) < 0 || line.strip().startsWith("]") : line.contains(closing);
    }

    /** How many more {@code [} than {@code ]} a value opens, outside strings. */
    private static int depth(String value) {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#') {
                break;
            } else if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            }
        }
        return depth;
    }

    /** Lower-case keys joined by dots, list items appended: {@code a.b[0].c}. */
    private static String key(List<String> path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path) {
            if (out.length() > 0 && !segment.startsWith("[")) {
                out.append('.');
            }
            out.append(segment.toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }
}

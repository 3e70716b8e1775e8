package dev.gatehouse.plugins.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of Go's {@code text/template} that Traefik users write in {@code defaultRule}: plain text with
 * actions {@code {{ .Name }}}, {@code {{ .ContainerName }}}, {@code {{ index .Labels "key" }}}, each optionally
 * passed to {@code normalize}, e.g. {@code Host(`{{ normalize .Name }}.example.com`)}. Anything else is refused
 * when the provider starts, naming the template, rather than rendering something surprising.
 */
final class RuleTemplate {

    /** What a template sees of a container: {@code .Name} (the service name), {@code .ContainerName}, {@code .Labels}. */
    record Model(String name, String containerName, Map<String, String> labels) {
    }

    private static final Pattern ACTION = Pattern.compile("\\{\\{-?\\s*(.*?)\\s*-?}}", Pattern.DOTALL);
    private static final Pattern NORMALIZE = Pattern.compile("normalize\\s+(?:\\((.*)\\)|(.*))", Pattern.DOTALL);
    private static final Pattern INDEX = Pattern.compile("index\\s+\\.Labels\\s+(?:\"((?:[^\"\\\\]|\\\\.)*)\"|`([^`]*)`)");

    private final String source;
    private final List<Function<Model, String>> parts;

    private RuleTemplate(String source, List<Function<Model, String>> parts) {
        this.source = source;
        this.parts = parts;
    }

    /**
     * Parses {@code template}.
     *
     * @throws IllegalArgumentException naming the template and the action it cannot render
     */
    static RuleTemplate parse(String template) {
        Objects.requireNonNull(template, "template");
        List<Function<Model, String>> parts = new ArrayList<>();
        Matcher m = ACTION.matcher(template);
        int last = 0;
        while (m.find()) {
            String text = template.substring(last, m.start());
            parts.add(model -> text);
            parts.add(action(template, m.group(1).strip()));
            last = m.end();
        }
        String tail = template.substring(last);
        if (tail.contains("{{")) {
            throw new IllegalArgumentException("template " + quote(template) + ": unclosed '{{'");
        }
        parts.add(model -> tail);
        return new RuleTemplate(template, List.copyOf(parts));
    }

    private static Function<Model, String> action(String template, String action) {
        Matcher normalize = NORMALIZE.matcher(action);
        if (normalize.matches()) {
            String inner = normalize.group(1) != null ? normalize.group(1) : normalize.group(2);
            Function<Model, String> value = value(template, inner.strip());
            return model -> normalize(value.apply(model));
        }
        return value(template, action);
    }

    private static Function<Model, String> value(String template, String expression) {
        if (expression.equals(".Name")) {
            return Model::name;
        }
        if (expression.equals(".ContainerName")) {
            return Model::containerName;
        }
        Matcher index = INDEX.matcher(expression);
        if (index.matches()) {
            String key = index.group(1) != null ? index.group(1).replaceAll("\\\\(.)", "$1") : index.group(2);
            // Go's index on a missing map key gives the zero value: an empty string.
            return model -> model.labels().getOrDefault(key, "");
        }
        throw new IllegalArgumentException("template " + quote(template) + ": unsupported action '{{ " + expression
                + " }}'; supported: .Name, .ContainerName, index .Labels \"key\", each optionally after normalize");
    }

    String render(Model model) {
        StringBuilder out = new StringBuilder();
        for (Function<Model, String> part : parts) {
            out.append(part.apply(model));
        }
        return out.toString();
    }

    String source() {
        return source;
    }

    /**
     * Traefik's {@code provider.Normalize}: runs of characters that are neither letters nor digits become one
     * {@code -}, and none is left at either end ({@code /my_app.v2} gives {@code my-app-v2}).
     */
    static String normalize(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean pendingDash = false;
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            i += Character.charCount(c);
            if (Character.isLetter(c) || Character.isDigit(c)) {
                if (pendingDash && out.length() > 0) {
                    out.append('-');
                }
                pendingDash = false;
                out.appendCodePoint(c);
            } else {
                pendingDash = true;
            }
        }
        return out.toString();
    }

    private static String quote(String s) {
        return "'" + s + "'";
    }
}

package dev.gatehouse.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.util.TokenBufferReadContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Binds a configuration tree to a type with the {@linkplain ConfigMappers#strictMapper() strict
 * mapper}, collecting every unknown key and bad value instead of stopping at the first, and
 * names each problem with the key path and the source the key came from.
 */
public final class ConfigBinder {

    private final ObjectMapper mapper;

    ConfigBinder(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** A problem at a key path (segments as written; list items as {@code [i]}). */
    record Problem(List<String> path, String message) {
    }

    /**
     * Binds {@code node} to {@code type}.
     *
     * @param prefix the path of {@code node} in the whole configuration ({@code providers.file})
     * @param problems receives the problems, with {@code prefix} prepended to their paths
     * @return the bound value, or null when a problem stopped the binding
     */
    <T> T bind(JsonNode node, Class<T> type, List<String> prefix, ConfigOrigins origins, List<String> problems) {
        return bind(node, type, prefix, problems, path -> origins.describe(path) + ": ");
    }

    /**
     * Binds a raw tree (maps, lists and scalars, as providers publish them) the way the dynamic
     * configuration is bound: the same strictness and messages as the static configuration, but each
     * problem names only the key path under {@code prefix}; the caller names the source.
     *
     * @param prefix the dotted path of {@code raw}, such as {@code http.routers.app}
     * @param problems receives one sentence per problem
     * @return the bound value, or null when there were problems
     */
    public static <T> T bindTree(ObjectMapper mapper, Object raw, Class<T> type, String prefix, List<String> problems) {
        return bindTree(mapper, raw, type, List.of(prefix.split("\\.")), path -> "", problems);
    }

    /**
     * {@link #bindTree(ObjectMapper, Object, Class, String, List)} with the path given as keys (element names may
     * hold dots) and a source for each problem.
     *
     * @param source what precedes each problem, from its whole key path (such as {@code "line 9: "}), or ""
     */
    public static <T> T bindTree(ObjectMapper mapper, Object raw, Class<T> type, List<String> prefix,
            java.util.function.Function<List<String>, String> source, List<String> problems) {
        JsonNode node = raw == null ? mapper.createObjectNode() : toTree(mapper, raw);
        return new ConfigBinder(mapper).bind(node, type, prefix, problems, source);
    }

    /**
     * The Jackson tree of a raw tree, as {@link ObjectMapper#valueToTree} makes it, without its cost: that one
     * serializes the value into a token buffer and reads the tree back, which was about half of binding a router
     * (10,000 routers: a tenth of a second of the load's CPU). Maps with string keys, lists, strings, booleans and
     * the number types parsers give are converted directly; anything else (a map with other keys, another type)
     * goes through {@code valueToTree}, so the tree is always the one Jackson would make.
     */
    static JsonNode toTree(ObjectMapper mapper, Object raw) {
        JsonNodeFactory nodes = mapper.getNodeFactory();
        if (raw == null) {
            return nodes.nullNode();
        }
        if (raw instanceof String text) {
            return nodes.textNode(text);
        }
        if (raw instanceof Boolean flag) {
            return nodes.booleanNode(flag);
        }
        if (raw instanceof Integer number) {
            return nodes.numberNode(number.intValue());
        }
        if (raw instanceof Long number) {
            return nodes.numberNode(number.longValue());
        }
        if (raw instanceof java.math.BigInteger number) {
            return nodes.numberNode(number);
        }
        if (raw instanceof Double number) {
            return nodes.numberNode(number.doubleValue());
        }
        if (raw instanceof java.math.BigDecimal number) {
            return nodes.numberNode(number);
        }
        if (raw instanceof List<?> list) {
            ArrayNode array = nodes.arrayNode(list.size());
            for (Object item : list) {
                array.add(toTree(mapper, item));
            }
            return array;
        }
        if (raw instanceof Map<?, ?> map && map.keySet().stream().allMatch(String.class::isInstance)) {
            ObjectNode object = nodes.objectNode();
            map.forEach((key, value) -> object.set((String) key, toTree(mapper, value)));
            return object;
        }
        return mapper.valueToTree(raw);
    }

    private <T> T bind(JsonNode node, Class<T> type, List<String> prefix, List<String> problems,
            java.util.function.Function<List<String>, String> source) {
        // Jackson stops at the first value it cannot bind. So that one run reports every mistake, the value at
        // fault is taken out of a copy of the tree and the binding runs again, a bounded number of times; the
        // problems the Collector reports (unknown keys) are those of the last run, which saw the whole tree.
        // Copied before the first value is taken out, not before: most bindings succeed on the first run.
        JsonNode remaining = node;
        boolean copied = false;
        List<Problem> fatal = new ArrayList<>();
        java.util.Set<String> removed = new java.util.HashSet<>();
        List<Problem> found = new ArrayList<>();
        T value = null;
        for (int run = 0; run < MAX_RUNS; run++) {
            found = new ArrayList<>();
            try {
                value = mapper.readerFor(type).withHandler(new Collector(found)).readValue(remaining);
                break;
            } catch (JsonMappingException e) {
                Problem problem = translate(e);
                if (removed.contains(display(problem.path()).toLowerCase(java.util.Locale.ROOT))) {
                    break;   // what taking the bad value out caused (a required key now missing): said already
                }
                List<Problem> causes = recordedBelow(found, problem.path());
                if (e instanceof ValueInstantiationException && !causes.isEmpty()
                        && !(e.getCause() instanceof IllegalArgumentException)) {
                    // A record's constructor tripped over the empty placeholder left for a bad value that the
                    // Collector has already reported (a null in a list): that value is the mistake to report.
                    fatal.addAll(causes);
                } else {
                    fatal.add(problem);
                }
                removed.add(display(problem.path()).toLowerCase(java.util.Locale.ROOT));
                if (!copied) {
                    remaining = remaining.deepCopy();
                    copied = true;
                }
                if (!removeAt(remaining, problem.path())) {
                    break;
                }
            } catch (IOException e) {
                fatal.add(new Problem(List.of(), e.getMessage()));
                break;
            }
        }
        found.addAll(fatal);
        for (Problem p : found) {
            List<String> path = new ArrayList<>(prefix);
            path.addAll(p.path());
            problems.add(abbreviate(source.apply(path) + p.message().replace("{key}", display(path))));
        }
        return found.isEmpty() ? value : null;
    }

    /** The problems in {@code found} at {@code path} or below it. */
    private static List<Problem> recordedBelow(List<Problem> found, List<String> path) {
        List<Problem> below = new ArrayList<>();
        for (Problem p : found) {
            if (p.path().size() >= path.size() && display(p.path().subList(0, path.size())).equalsIgnoreCase(display(path))) {
                below.add(p);
            }
        }
        return below;
    }

    /** How many values at fault one binding takes out before it gives up looking for more. */
    private static final int MAX_RUNS = 32;

    /**
     * Takes out the value at {@code path} (keys matched without regard to case, as binding matches them); an
     * element of a list takes the whole list out, so that the next run's positions in it stay true.
     *
     * @return whether something was taken out (false: nothing more to learn from another run)
     */
    private static boolean removeAt(JsonNode root, List<String> path) {
        JsonNode parent = null;
        JsonNode current = root;
        String key = null;
        for (String segment : path) {
            if (segment.startsWith("[")) {
                break;   // the list itself goes
            }
            if (!(current instanceof ObjectNode object)) {
                return false;
            }
            String name = fieldIgnoringCase(object, segment);
            if (name == null) {
                return false;
            }
            parent = current;
            key = name;
            current = object.get(name);
        }
        if (parent instanceof ObjectNode object && key != null) {
            object.remove(key);
            return true;
        }
        return false;
    }

    private static String fieldIgnoringCase(ObjectNode object, String wanted) {
        for (java.util.Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.equalsIgnoreCase(wanted)) {
                return name;
            }
        }
        return null;
    }

    /** The longest problem sentence kept whole: messages quote values, and a value can be a megabyte. */
    private static final int MAX_MESSAGE_CHARS = 1000;

    /** {@code message}, with its middle left out when it is longer than {@link #MAX_MESSAGE_CHARS}. */
    static String abbreviate(String message) {
        if (message.length() <= MAX_MESSAGE_CHARS) {
            return message;
        }
        int head = MAX_MESSAGE_CHARS * 2 / 3;
        int tail = MAX_MESSAGE_CHARS - head;
        return message.substring(0, head) + "... (" + (message.length() - head - tail) + " characters left out) ..."
                + message.substring(message.length() - tail);
    }

    /** {@code entryPoints.web.forwardedHeaders.trustedIPs[1]}. */
    static String display(List<String> path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path) {
            if (!segment.startsWith("[") && out.length() > 0) {
                out.append('.');
            }
            out.append(segment);
        }
        return out.toString();
    }

    private static Problem translate(JsonMappingException e) {
        List<String> path = new ArrayList<>();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.add(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.add("[" + ref.getIndex() + "]");
            }
        }
        if (e instanceof ValueInstantiationException && e.getCause() instanceof InvalidValueException invalid) {
            path.add(invalid.key());
            return new Problem(path, invalid.getMessage());
        }
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException cause) {
            return new Problem(path, "invalid value for '{key}': " + cause.getMessage());
        }
        if (e instanceof InvalidFormatException invalid) {
            return new Problem(path, invalidValue(invalid.getTargetType(), String.valueOf(invalid.getValue()), null));
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return new Problem(path, "invalid value for '{key}' (expected " + describe(mismatch.getTargetType()) + ")");
        }
        String reason = e.getOriginalMessage();
        // Jackson's own wording names Java types (`java.util.ArrayList`, `dev.gatehouse...Config`): not for users.
        boolean plain = reason != null && !reason.isBlank() && !reason.contains("`") && !reason.contains("java.");
        return new Problem(path, "invalid value for '{key}'" + (plain ? ": " + reason : ""));
    }

    private static String invalidValue(Class<?> type, String value, String reason) {
        if (type == Duration.class) {
            return "invalid duration '" + value + "' (" + GoDurations.EXAMPLES + ")";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "invalid boolean '" + value + "' for '{key}' (expected true or false)";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "invalid number '" + value + "' for '{key}' (expected a whole number)";
        }
        if (reason != null && reason.startsWith("invalid ")) {
            return reason;
        }
        return "invalid value '" + value + "' for '{key}' (expected " + describe(type) + ")";
    }

    private static String describe(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (type == Duration.class) {
            return "a duration, e.g. 2s";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (type.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object c : type.getEnumConstants()) {
                names.add(c.toString());
            }
            return "one of " + String.join(", ", names);
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a section of named entries";
        }
        return "true, false or a section of options"; // every section is also a switch (PresenceDeserializer)
    }

    /**
     * The path of an unknown key: the path of the section it is in, then the key itself.
     *
     * <p>The parser's contexts cannot simply be read off here. A record (bound through its constructor) holds
     * back its unknown keys in a token buffer and replays them once the record is built. The buffer's contexts
     * have names and positions of their own, not the file's (which once turned {@code api: {middlewares: [...]}}
     * into {@code api[2][0]}); below them is either what holds the section (when the first key held back had a
     * plain value) or the section's own context, which has by then moved past its last key and names none.
     * Without a buffer, the section's context names the key, and the parser already stands inside the key's
     * value when that is a list or a section.
     */
    private static List<String> unknownKeyPath(JsonParser p, String propertyName) {
        JsonStreamContext holder;
        JsonStreamContext c = p.getParsingContext();
        if (c instanceof TokenBufferReadContext) {
            while (c instanceof TokenBufferReadContext) {
                c = c.getParent();
            }
            holder = c != null && c.inObject() && c.getCurrentName() == null ? c.getParent() : c;
        } else {
            if (c != null && (p.currentToken() == JsonToken.START_ARRAY || p.currentToken() == JsonToken.START_OBJECT)) {
                c = c.getParent();
            }
            holder = c == null ? null : c.getParent();
        }
        List<String> path = holder == null ? new ArrayList<>() : pathOf(holder);
        path.add(propertyName);
        return path;
    }

    /**
     * The known key that {@code unknown} is most likely a misspelling of: the same but for case, a plural
     * {@code s}, or at most two edits for keys of five letters or more; null when none is that close.
     */
    public static String closestKey(String unknown, java.util.Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = editDistance(unknown.toLowerCase(java.util.Locale.ROOT),
                    candidate.toLowerCase(java.util.Locale.ROOT), 3);
            int allowed = Math.min(candidate.length(), unknown.length()) >= 5 ? 2 : 1;
            if (distance <= allowed && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Levenshtein distance, or {@code limit} as soon as it is known to be at least that (keys can be long). */
    private static int editDistance(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) >= limit || a.length() > 200 || b.length() > 200) {
            return limit;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            int rowMin = current[0];
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
                rowMin = Math.min(rowMin, current[j]);
            }
            if (rowMin >= limit) {
                return limit;
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return Math.min(previous[b.length()], limit);
    }

    /** The path of the parser's current value, from its parsing contexts. */
    private static List<String> pathOf(JsonParser p) {
        return pathOf(p.getParsingContext());
    }

    private static List<String> pathOf(JsonStreamContext context) {
        List<String> reversed = new ArrayList<>();
        for (JsonStreamContext c = context; c != null; c = c.getParent()) {
            if (c.inObject() && c.getCurrentName() != null) {
                reversed.add(c.getCurrentName());
            } else if (c.inArray() && c.getCurrentIndex() >= 0) {
                reversed.add("[" + c.getCurrentIndex() + "]");
            }
        }
        List<String> path = new ArrayList<>(reversed.size());
        for (int i = reversed.size() - 1; i >= 0; i--) {
            path.add(reversed.get(i));
        }
        return path;
    }

    /** Records a problem and lets binding go on, so that one pass reports them all. */
    private static final class Collector extends DeserializationProblemHandler {

        private final List<Problem> found;

        Collector(List<Problem> found) {
            this.found = found;
        }

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                Object beanOrClass, String propertyName) throws IOException {
            TreeSet<String> known = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            for (Object name : deserializer.getKnownPropertyNames()) {
                known.add(String.valueOf(name));
            }
            String knownText = known.isEmpty() ? "this section takes no keys" : "known keys here: " + String.join(", ", known);
            String suggestion = closestKey(propertyName, known);
            found.add(new Problem(unknownKeyPath(p, propertyName),
                    "unknown key '{key}' (" + knownText + ")"
                    + (suggestion == null ? "" : "; did you mean '" + suggestion + "'?")));
            p.skipChildren();
            return true;
        }

        @Override
        public Object handleWeirdStringValue(DeserializationContext ctxt, Class<?> targetType, String valueToConvert,
                String failureMsg) {
            found.add(new Problem(pathOf(ctxt.getParser()), invalidValue(targetType, valueToConvert, failureMsg)));
            return null;
        }

        @Override
        public Object handleWeirdNumberValue(DeserializationContext ctxt, Class<?> targetType, Number valueToConvert,
                String failureMsg) {
            found.add(new Problem(pathOf(ctxt.getParser()), invalidValue(targetType, String.valueOf(valueToConvert),
                    failureMsg)));
            return null;
        }

        @Override
        public Object handleInstantiationProblem(DeserializationContext ctxt, Class<?> instClass, Object argument,
                Throwable t) {
            if (t instanceof InvalidValueException invalid) {
                List<String> path = pathOf(ctxt.getParser());
                path.add(invalid.key());
                found.add(new Problem(path, invalid.getMessage()));
                return null;
            }
            return NOT_HANDLED;
        }
    }
}

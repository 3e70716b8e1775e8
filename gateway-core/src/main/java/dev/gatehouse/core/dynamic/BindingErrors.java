package dev.gatehouse.core.dynamic;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.stream.Collectors;

/** Turns Jackson's binding exceptions into sentences that name the key, for dynamic configuration. */
final class BindingErrors {

    private BindingErrors() {
    }

    /**
     * @param prefix the path of the bound element, such as {@code http.routers.app}
     */
    static String describe(String prefix, IllegalArgumentException e) {
        Throwable cause = e.getCause() instanceof JsonMappingException ? e.getCause() : e;
        if (cause instanceof UnrecognizedPropertyException unknown) {
            String known = unknown.getKnownPropertyIds() == null ? "" : unknown.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted(String.CASE_INSENSITIVE_ORDER).collect(Collectors.joining(", "));
            return "unknown key '" + path(prefix, unknown) + "'" + (known.isEmpty() ? "" : " (known keys here: " + known + ")");
        }
        if (cause instanceof InvalidFormatException invalid) {
            return "key '" + path(prefix, invalid) + "': '" + invalid.getValue() + "' is not a valid "
                    + simpleType(invalid.getTargetType());
        }
        if (cause instanceof MismatchedInputException mismatched) {
            return "key '" + path(prefix, mismatched) + "': expected " + simpleType(mismatched.getTargetType());
        }
        if (cause instanceof JsonMappingException mapping) {
            return "key '" + path(prefix, mapping) + "': " + mapping.getOriginalMessage();
        }
        return e.getMessage();
    }

    private static String path(String prefix, JsonMappingException e) {
        StringBuilder path = new StringBuilder(prefix);
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                path.append('.').append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String simpleType(Class<?> type) {
        if (type == null) {
            return "value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "boolean (true or false)";
        }
        if (type == String.class) {
            return "string";
        }
        if (java.util.List.class.isAssignableFrom(type)) {
            return "list";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "section (a map of keys)";
        }
        return type.getSimpleName();
    }
}

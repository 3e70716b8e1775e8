package dev.gatehouse.core.plugin;

import java.util.List;

/**
 * A plugin that loaded, with what it contributes.
 *
 * @param id its PF4J id
 * @param version its version
 * @param file its jar or zip
 * @param extensions the extensions it registered, as {@code kind name} ({@code matcher Host})
 */
public record LoadedPlugin(String id, String version, String file, List<String> extensions) {
}

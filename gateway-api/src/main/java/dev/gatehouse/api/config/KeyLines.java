package dev.gatehouse.api.config;

import java.util.List;

/**
 * Where each key of a configuration tree was written. A provider that reads files lets the content map of its
 * {@link dev.gatehouse.api.ConfigurationFragment} also implement this, and the gateway then names the line of
 * every problem it finds in that content, as it does for the static configuration:
 * {@code service app@file (from /etc/gatehouse/dynamic/app.yml): line 9: unknown key
 * 'http.services.app.loadBalancer.server' ...}. Optional: without it, problems name the origin alone.
 *
 * <pre>{@code
 * final class LinedTree extends AbstractMap<String, Object> implements KeyLines { ... }
 * return ConfigurationFragment.of(file.toString(), new LinedTree(tree, lines));
 * }</pre>
 */
public interface KeyLines {

    /**
     * The line of the key at {@code path}, else of its nearest ancestor that has one; 0 when none is known.
     *
     * @param path keys as written in the tree, list items as {@code [0]}, from the top ({@code http, services,
     *     app, loadBalancer, server})
     */
    int lineOf(List<String> path);
}

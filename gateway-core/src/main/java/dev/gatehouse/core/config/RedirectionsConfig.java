package dev.gatehouse.core.config;

/**
 * {@code entryPoints.<name>.http.redirections}.
 *
 * @param entryPoint redirect to another entry point (the usual http to https redirection)
 */
public record RedirectionsConfig(EntryPointRedirectionConfig entryPoint) {
}

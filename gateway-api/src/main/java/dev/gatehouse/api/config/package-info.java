/**
 * What a provider needs to turn its source into configuration: the size limits every provider applies
 * ({@link dev.gatehouse.api.config.ConfigurationLimits}) and the line numbers of keys in YAML and TOML files, so that
 * errors name {@code file:line}. The configuration model itself is the gateway's, not API.
 */
package dev.gatehouse.api.config;

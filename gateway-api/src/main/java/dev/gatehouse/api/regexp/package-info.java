/**
 * Bounds on the regular expressions a configuration may hold ({@code PathRegexp}, {@code stripPrefixRegex},
 * {@code LabelRegex}, ...), shared by the core and every plugin so that all of them refuse the same expressions
 * with the same explanation: see {@link dev.gatehouse.api.regexp.RegexpLimits}.
 */
package dev.gatehouse.api.regexp;

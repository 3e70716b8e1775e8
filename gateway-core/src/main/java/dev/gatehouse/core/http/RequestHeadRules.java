package dev.gatehouse.core.http;

import dev.gatehouse.core.config.EntryPointHttpConfig.UnderscoreHeaders;

/**
 * What an entry point does with a request's head before anything else sees it ({@code entryPoints.<name>.http}).
 *
 * @param underscoreHeaders headers with {@code _} in their names: kept, deleted, or the request refused with 400
 *        ({@code underscoreHeadersStrategy}). Backends that read {@code X_Auth_User} and {@code X-Auth-User} as the
 *        same variable (CGI, WSGI, PHP) could otherwise be handed a client's {@code X_Auth_User} where a middleware
 *        set or removed {@code X-Auth-User}
 * @param encodeQuerySemicolons an unencoded {@code ;} in the query is sent on as {@code %3B} (part of a value); by
 *        default it separates parameters as {@code &} does ({@code encodeQuerySemicolons})
 */
public record RequestHeadRules(UnderscoreHeaders underscoreHeaders, boolean encodeQuerySemicolons) {

    public static final RequestHeadRules DEFAULTS = new RequestHeadRules(UnderscoreHeaders.KEEP, false);
}

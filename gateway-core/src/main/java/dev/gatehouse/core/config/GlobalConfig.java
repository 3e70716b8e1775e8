package dev.gatehouse.core.config;

/**
 * {@code global}: Traefik's switches for contacting its makers, accepted so that a Traefik file works unchanged, with
 * no effect: Gatehouse never checks for new versions and never sends usage statistics, whatever these say; and the
 * default of {@code notAppendXForwardedFor} for every entry point.
 *
 * @param checkNewVersion Traefik: check periodically for a new release; no effect here
 * @param sendAnonymousUsage Traefik: send anonymous usage statistics; no effect here
 * @param notAppendXForwardedFor the default of every entry point's {@code forwardedHeaders.notAppendXForwardedFor}
 */
public record GlobalConfig(Boolean checkNewVersion, Boolean sendAnonymousUsage, Boolean notAppendXForwardedFor) {

    public GlobalConfig(Boolean checkNewVersion, Boolean sendAnonymousUsage) {
        this(checkNewVersion, sendAnonymousUsage, null);
    }

    /** What the gateway logs once at start when the section sets either key. */
    public static final String NO_EFFECT_NOTICE =
            "global.checkNewVersion and global.sendAnonymousUsage have no effect: Gatehouse never contacts anyone";

    /** Whether the user set either key (so that the notice is worth logging). */
    public boolean anySet() {
        return checkNewVersion != null || sendAnonymousUsage != null;
    }
}

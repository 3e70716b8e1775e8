package dev.gatehouse.core.config.dynamic;

import java.util.List;

/**
 * {@code tls.options.<name>.clientAuth}: certificates asked of clients.
 *
 * @param caFiles PEM files (or PEM text) of the CAs that client certificates must chain to
 * @param clientAuthType {@code NoClientCert}, {@code RequestClientCert}, {@code RequireAnyClientCert},
 *        {@code VerifyClientCertIfGiven} or {@code RequireAndVerifyClientCert}; when absent,
 *        {@code RequireAndVerifyClientCert} if {@code caFiles} are given, else {@code NoClientCert}
 */
public record ClientAuthConfig(List<String> caFiles, String clientAuthType) {

    public ClientAuthConfig {
        caFiles = Immutables.list(caFiles);
    }
}

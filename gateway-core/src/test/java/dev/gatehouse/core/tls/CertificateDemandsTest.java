package dev.gatehouse.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.ProblemKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A resolver that cannot serve its routers: each router is told, so that each shows in warning. */
class CertificateDemandsTest {

    @Test
    void eachRouterOfAnUnavailableResolverGetsItsOwnProblem() {
        List<ConfigProblem> problems = CertificateDemands.unavailable(
                List.of("b@file", "a@file", "b@file", CertificateDemands.GENERATED_DEFAULT),
                "certificate resolver 'le' is not configured (known: none)");

        assertEquals(List.of(ConfigElement.other("tls.stores.default.defaultGeneratedCert"), ConfigElement.router("a@file"),
                ConfigElement.router("b@file")), problems.stream().map(ConfigProblem::subject).toList(),
                "one per router, each once, and one for the generated default certificate");
        assertEquals(ProblemKind.TLS, problems.get(1).kind());
        assertEquals("certificate resolver 'le' is not configured (known: none); the router is served with the default "
                + "certificate", problems.get(1).message());
    }
}

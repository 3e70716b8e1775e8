package dev.gatehouse.core.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

class ConnectionHeaderTest {

    @Test
    void namesEveryListedHeaderInLowerCaseAcrossFieldsButNotKeepAliveOrClose() {
        HttpFields headers = HttpFields.build()
                .add("Connection", "keep-alive, X-Trace-Hop")
                .add("Content-Type", "text/plain")
                .add("connection", " Close ,X-Other");
        assertArrayEquals(new String[] {"x-trace-hop", "x-other"}, ConnectionHeader.listedNames(headers));
        assertTrue(ConnectionHeader.lists(ConnectionHeader.listedNames(headers), "x-other"));
        assertFalse(ConnectionHeader.lists(ConnectionHeader.listedNames(headers), "content-type"));
    }

    @Test
    void aPlainKeepAliveListsNothing() {
        assertArrayEquals(new String[0], ConnectionHeader.listedNames(HttpFields.build().add("Connection", "keep-alive")));
        assertArrayEquals(new String[0], ConnectionHeader.listedNames(HttpFields.build().add("Host", "a")));
    }

    @Test
    void upgradeAndTrailersAreTokensNotSubstrings() {
        assertTrue(ConnectionHeader.asksForUpgrade(HttpFields.build().add("Connection", "keep-alive, Upgrade")));
        assertFalse(ConnectionHeader.asksForUpgrade(HttpFields.build().add("Connection", "x-upgraded")));
        assertTrue(ConnectionHeader.acceptsTrailers(HttpFields.build().add("TE", "gzip, trailers")));
        assertFalse(ConnectionHeader.acceptsTrailers(HttpFields.build().add("TE", "gzip")));
    }
}

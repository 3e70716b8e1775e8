package dev.gatehouse.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's files, served from the jar and kept in memory once read. */
class DashboardHandlerTest {

    private final DashboardHandler dashboard = new DashboardHandler();
    private Server server;
    private LocalConnector connector;

    @BeforeEach
    void start() throws Exception {
        server = new Server();
        connector = new LocalConnector(server);
        server.addConnector(connector);
        server.setHandler(dashboard);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    private HttpTester.Response get(String path) throws Exception {
        return HttpTester.parseResponse(connector.getResponse("GET " + path + " HTTP/1.1\r\nHost: gw\r\n\r\n"));
    }

    /** Any client may ask for any name: only the dashboard's own files stay in memory, or the map would grow without end. */
    @Test
    void namesThatAreNoDashboardFileAreAnswered404AndNotKept() throws Exception {
        assertEquals(200, get("/dashboard/app.js").getStatus());
        assertEquals(200, get("/dashboard/app.js").getStatus());
        for (int i = 0; i < 500; i++) {
            assertEquals(404, get("/dashboard/made-up-" + i + ".js").getStatus());
        }
        assertEquals(1, dashboard.keptFiles());
    }
}

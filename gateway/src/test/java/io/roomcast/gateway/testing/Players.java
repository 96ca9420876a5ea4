package io.roomcast.gateway.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * A test's players ({@code @RegisterExtension final Players players}): every client connected
 * through it is closed after the test, whatever happened.
 */
public final class Players implements AfterEachCallback {

    private final List<TestClient> clients = new ArrayList<>();

    /** A connected client that has not said hello yet. */
    public TestClient connect(int port) throws Exception {
        TestClient client = TestClient.connect(port);
        clients.add(client);
        return client;
    }

    /** A client welcomed as {@code name}. */
    public TestClient hello(int port, String name) throws Exception {
        TestClient client = connect(port);
        client.hello(name);
        return client;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        clients.forEach(TestClient::close);
        clients.clear();
    }
}

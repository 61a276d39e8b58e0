package org.kizuna.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.dbms.api.DatabaseNotFoundException;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community embedded, with Bolt on loopback, until the process is told to stop.
 *
 * Why a launcher instead of the Neo4j tarball: the tarball is not on a package registry this
 * project can reach, while the embedded artifacts are on Maven Central. Configuration comes from
 * environment variables so the Python side stays the single place that knows the settings:
 * KIZUNA_NEO4J_HOME, KIZUNA_NEO4J_BOLT_PORT, KIZUNA_NEO4J_PASSWORD, KIZUNA_NEO4J_PAGECACHE_MB.
 * The line "KIZUNA-NEO4J-READY" on stdout tells the caller Bolt is up; SIGTERM shuts down cleanly.
 */
public final class Launcher {

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        Path home = Paths.get(env.getOrDefault("KIZUNA_NEO4J_HOME", "var/neo4j")).toAbsolutePath();
        int port = Integer.parseInt(env.getOrDefault("KIZUNA_NEO4J_BOLT_PORT", "7687"));
        String host = env.getOrDefault("KIZUNA_NEO4J_BOLT_HOST", "127.0.0.1");
        String password = env.getOrDefault("KIZUNA_NEO4J_PASSWORD", "kizuna-local");
        long pageCacheMb = Long.parseLong(env.getOrDefault("KIZUNA_NEO4J_PAGECACHE_MB", "2048"));
        Files.createDirectories(home);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                // Time budgets are enforced by transaction timeouts; the default check every 2 s
                // would let a timed-out query run on for up to 2 s past its budget.
                .setConfig(GraphDatabaseSettings.transaction_monitor_check_interval, Duration.ofMillis(50))
                // Transaction logs older than the last checkpoint are only kept for backups, which
                // this server does not take. Neo4j's default keeps two days of them: a day of
                // sweeps (each storing every subject's findings) and benchmarks left 42 GB and
                // filled the disk. Recovery still keeps what it needs.
                .setConfig(GraphDatabaseSettings.keep_logical_logs, env.getOrDefault("KIZUNA_NEO4J_TX_LOG_RETENTION", "1G size"))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "kizuna-neo4j-shutdown"));

        setPassword(dbms, password);
        GraphDatabaseService db = defaultDatabase(dbms);
        if (db == null || !db.isAvailable(60_000)) {
            System.err.println("KIZUNA-NEO4J-FAILED: database did not become available; see " + home.resolve("logs"));
            System.exit(3);
        }
        System.out.println("KIZUNA-NEO4J-READY bolt://" + host + ":" + port + " home=" + home);
        System.out.flush();
        stopped.await();
    }

    /** The default database, waiting for it to be created on a first start. */
    private static GraphDatabaseService defaultDatabase(DatabaseManagementService dbms) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                return dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            } catch (DatabaseNotFoundException e) {
                if (System.currentTimeMillis() > deadline) {
                    return null;
                }
                Thread.sleep(200);
            }
        }
    }

    /** Sets the neo4j user's password to the configured one without requiring a change at first login. */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            if (!message.contains("Old password and new password cannot be the same")) {
                throw e;
            }
        }
    }
}

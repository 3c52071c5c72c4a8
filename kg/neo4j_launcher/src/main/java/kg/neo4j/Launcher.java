package kg.neo4j;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import inet.ipaddr.IPAddressString;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;
import org.neo4j.kernel.impl.security.User;
import org.neo4j.logging.NullLogProvider;
import org.neo4j.memory.EmptyMemoryTracker;
import org.neo4j.server.security.SecureHasher;
import org.neo4j.server.security.SystemGraphCredential;
import org.neo4j.server.security.auth.CommunitySecurityModule;
import org.neo4j.server.security.auth.FileUserRepository;

/**
 * Starts an embedded Neo4j 5 community DBMS with only a Bolt connector on 127.0.0.1:PORT.
 *
 * <p>Usage: {@code Launcher --home DIR --port PORT [--password-file FILE] [--pagecache SIZE]}
 *
 * <p>With {@code --password-file}, auth is enabled and the user {@code neo4j} gets the password
 * read from that file: on the very first start of an empty home it is written to the initial
 * user store ({@code data/dbms/auth.ini}, what {@code neo4j-admin dbms set-initial-password}
 * does), so the default password is never live on the socket. Without it, auth is disabled.
 *
 * <p>Prints one line {@code READY bolt://127.0.0.1:PORT} on stdout once Bolt accepts
 * connections, then blocks; SIGTERM/SIGINT run a shutdown hook that stops the DBMS cleanly.
 * The password is never printed.
 */
public final class Launcher {
    private static final String USER = "neo4j";

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        // Neo4j closes its log4j context itself; log4j's own shutdown hook would otherwise be
        // registered lazily during JVM shutdown and make DBMS shutdown fail.
        if (System.getProperty("log4j2.shutdownHookEnabled") == null) {
            System.setProperty("log4j2.shutdownHookEnabled", "false");
        }
        Map<String, String> opts = parseArgs(args);
        Path home = Path.of(require(opts, "--home")).toAbsolutePath().normalize();
        int port = Integer.parseInt(require(opts, "--port"));
        String passwordFile = opts.get("--password-file");
        String pagecache = opts.getOrDefault("--pagecache", "512m");

        Files.createDirectories(home);
        boolean authEnabled = passwordFile != null;
        if (authEnabled) {
            String password = Files.readString(Path.of(passwordFile), StandardCharsets.UTF_8).strip();
            if (password.length() < 8) {
                fail("password file must hold a password of at least 8 characters");
            }
            seedInitialPasswordIfFresh(home, password);
        }

        Map<org.neo4j.graphdb.config.Setting<?>, Object> cfg = new HashMap<>();
        cfg.put(BoltConnector.enabled, true);
        cfg.put(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port));
        cfg.put(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port));
        cfg.put(HttpConnector.enabled, false);
        cfg.put(HttpsConnector.enabled, false);
        cfg.put(GraphDatabaseSettings.auth_enabled, authEnabled);
        cfg.put(GraphDatabaseSettings.pagecache_memory,
                org.neo4j.io.ByteUnit.parse(pagecache));
        cfg.put(GraphDatabaseSettings.keep_logical_logs, "2 files");
        cfg.put(GraphDatabaseSettings.preallocate_logical_logs, false);
        cfg.put(GraphDatabaseSettings.udc_enabled, false);
        // User Cypher runs in READ sessions, but LOAD CSV is a read: from this server it must
        // reach neither the files of the machine nor any host (kg never needs LOAD CSV).
        cfg.put(GraphDatabaseSettings.allow_file_urls, false);
        cfg.put(GraphDatabaseInternalSettings.cypher_ip_blocklist,
                List.of(new IPAddressString("0.0.0.0/0"), new IPAddressString("::/0")));
        // Netty's default graceful shutdown idles for seconds per event loop group: stop fast.
        cfg.put(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0);
        cfg.put(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(3));

        // Register the hook before building, so a SIGTERM during startup still shuts down cleanly.
        AtomicReference<DatabaseManagementService> running = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            DatabaseManagementService service = running.getAndSet(null);
            if (service != null) {
                System.err.println("kg-neo4j-launcher: shutting down");
                try {
                    service.shutdown();
                } catch (RuntimeException e) {
                    System.err.println("kg-neo4j-launcher: shutdown failed: " + rootMessage(e));
                }
            }
            stopped.countDown();
        }, "kg-neo4j-shutdown"));

        DatabaseManagementService dbms;
        try {
            dbms = new DatabaseManagementServiceBuilder(home).setConfig(cfg).build();
        } catch (RuntimeException e) {
            fail("Neo4j failed to start: " + rootMessage(e));
            return;
        }
        running.set(dbms);

        // Wait until the default database is available, so clients can run queries at once.
        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(120_000)) {
            fail("default database did not become available");
        }
        if (authEnabled) {
            // The system database now holds the user; drop the seed file (it held a hash).
            Path authFile = CommunitySecurityModule.getInitialUserRepositoryFile(
                    Config.newBuilder().set(GraphDatabaseSettings.neo4j_home, home).build());
            Files.deleteIfExists(authFile);
        }
        System.out.println("READY bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }

    /** Writes the initial user store before the system database exists, as set-initial-password does. */
    private static void seedInitialPasswordIfFresh(Path home, String password) throws Exception {
        Config config = Config.newBuilder().set(GraphDatabaseSettings.neo4j_home, home).build();
        Path systemDb = config.get(GraphDatabaseSettings.data_directory)
                .resolve("databases").resolve(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        if (Files.exists(systemDb)) {
            return; // users already live in the system database
        }
        Path authFile = CommunitySecurityModule.getInitialUserRepositoryFile(config);
        Files.createDirectories(authFile.getParent());
        Files.deleteIfExists(authFile);
        try (DefaultFileSystemAbstraction fs = new DefaultFileSystemAbstraction()) {
            FileUserRepository repo = new FileUserRepository(
                    fs, authFile, NullLogProvider.getInstance(), EmptyMemoryTracker.INSTANCE);
            repo.start();
            SystemGraphCredential credential = SystemGraphCredential.createCredentialForPassword(
                    password.getBytes(StandardCharsets.UTF_8), new SecureHasher());
            repo.create(new User(USER, null, credential, false, false));
            repo.shutdown();
        }
    }

    private static Map<String, String> parseArgs(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                fail("usage: Launcher --home DIR --port PORT [--password-file FILE] [--pagecache SIZE]");
            }
            opts.put(a, args[++i]);
        }
        return opts;
    }

    private static String require(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null) {
            fail("missing " + key);
        }
        return v;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            sb.append(" | caused by: ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        return sb.toString().replace('\n', ' ');
    }

    private static void fail(String msg) {
        System.err.println("kg-neo4j-launcher: ERROR " + msg);
        System.out.println("FAILED " + msg);
        System.out.flush();
        System.exit(2);
    }
}

package io.crust.testkit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * A name resolver (JDK 18+, {@link InetAddressResolverProvider}) that refuses and records every
 * name lookup made while {@link #during} runs, and otherwise hands lookups to the JDK's own
 * resolver. It shows that parsers of peer and gateway input never ask a name server: the JDK calls
 * the resolver only for names, never for IP literals, so an empty record means no name was looked up.
 *
 * <p>A test module installs it with the file
 * {@code src/test/resources/META-INF/services/java.net.spi.InetAddressResolverProvider} holding
 * this class's name; the JDK loads it at the first lookup in the test JVM. {@link #isInstalled()}
 * says whether that happened, so a test can fail rather than pass vacuously without it.
 */
public final class NoNameLookups extends InetAddressResolverProvider {
    private static final ReentrantLock LOCK = new ReentrantLock();
    /** Names asked for while armed; null while not armed. Guarded by LOCK. */
    private static List<String> attempts;
    private static volatile boolean installed;

    /** Code under test. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /** Called by the JDK's service loader. */
    public NoNameLookups() {
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        installed = true;
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                refuseIfArmed(host);
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                refuseIfArmed("reverse lookup of " + addr.length + " address bytes");
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "crust-no-name-lookups";
    }

    /** True once the JDK has loaded this resolver (it does so at the JVM's first lookup). */
    public static boolean isInstalled() {
        if (!installed) {
            try {
                InetAddress.getByName("localhost"); // the first lookup makes the JDK load its resolver
            } catch (UnknownHostException ignored) {
                // loading is what counts here
            }
        }
        return installed;
    }

    /**
     * Runs {@code body} with lookups refused; returns the names that were asked for (empty when none
     * was). Exceptions from {@code body} propagate.
     */
    public static List<String> during(Body body) throws Exception {
        if (!isInstalled()) {
            throw new IllegalStateException("NoNameLookups is not the JVM's resolver: add it to "
                    + "src/test/resources/META-INF/services/java.net.spi.InetAddressResolverProvider");
        }
        LOCK.lock();
        try {
            attempts = new ArrayList<>();
        } finally {
            LOCK.unlock();
        }
        List<String> seen;
        try {
            body.run();
        } finally {
            LOCK.lock();
            try {
                seen = attempts;
                attempts = null;
            } finally {
                LOCK.unlock();
            }
        }
        return List.copyOf(seen);
    }

    private static void refuseIfArmed(String what) throws UnknownHostException {
        LOCK.lock();
        try {
            if (attempts == null) {
                return;
            }
            attempts.add(what);
        } finally {
            LOCK.unlock();
        }
        throw new UnknownHostException("name lookups are refused in this test: " + what);
    }
}

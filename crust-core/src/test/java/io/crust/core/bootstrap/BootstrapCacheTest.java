package io.crust.core.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.Identity;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord.Address;
import io.crust.core.PeerRecord.Kind;
import io.crust.core.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapCacheTest {
    @TempDir
    Path dataDir;
    private final AtomicLong wallClock = new AtomicLong(1_700_000_000_000L);

    private BootstrapCache open(int capacity, int maxFailures) throws Exception {
        return BootstrapCache.open(dataDir, capacity, maxFailures, wallClock::get);
    }

    private static PeerId peer() {
        return Identity.generate().peerId();
    }

    private static Address tcp(int port) {
        return new Address(Transport.TCP, Kind.HOST, new InetSocketAddress("192.0.2.1", port));
    }

    @Test
    void anEmptyDataDirectoryGivesAnEmptyCache() throws Exception {
        assertThat(open(10, 3).entries()).isEmpty();
    }

    @Test
    void successesAreKeptMostRecentFirstAndSurviveAReopen() throws Exception {
        BootstrapCache cache = open(10, 3);
        PeerId a = peer();
        PeerId b = peer();
        cache.recordSuccess(a, tcp(1));
        wallClock.addAndGet(1000);
        cache.recordSuccess(b, tcp(2));
        cache.flush();

        BootstrapCache reopened = open(10, 3);

        assertThat(reopened.entries()).extracting(BootstrapCache.Entry::peerId).containsExactly(b, a);
        assertThat(reopened.entries().get(0)).isEqualTo(new BootstrapCache.Entry(b, List.of(tcp(2)), 1_700_000_001_000L, 0));
    }

    @Test
    void aNewSuccessMovesThePeerAndItsAddressToTheFront() throws Exception {
        BootstrapCache cache = open(10, 3);
        PeerId a = peer();
        PeerId b = peer();
        cache.recordSuccess(a, tcp(1));
        cache.recordSuccess(b, tcp(2));
        cache.recordSuccess(a, tcp(3));
        cache.recordSuccess(a, tcp(1));

        assertThat(cache.entries()).extracting(BootstrapCache.Entry::peerId).containsExactly(a, b);
        assertThat(cache.entries().get(0).addresses()).containsExactly(tcp(1), tcp(3));
    }

    @Test
    void theLeastRecentPeerIsDroppedWhenTheCacheIsFull() throws Exception {
        BootstrapCache cache = open(2, 3);
        PeerId a = peer();
        PeerId b = peer();
        PeerId c = peer();
        cache.recordSuccess(a, tcp(1));
        cache.recordSuccess(b, tcp(2));
        cache.recordSuccess(c, tcp(3));

        assertThat(cache.entries()).extracting(BootstrapCache.Entry::peerId).containsExactly(c, b);
    }

    @Test
    void addressesPerPeerAreBounded() throws Exception {
        BootstrapCache cache = open(10, 3);
        PeerId a = peer();
        for (int port = 1; port <= BootstrapCache.MAX_ADDRESSES_PER_PEER + 3; port++) {
            cache.recordSuccess(a, tcp(port));
        }

        assertThat(cache.entries().get(0).addresses()).hasSize(BootstrapCache.MAX_ADDRESSES_PER_PEER)
                .startsWith(tcp(BootstrapCache.MAX_ADDRESSES_PER_PEER + 3));
    }

    @Test
    void failuresAreCountedAndAPeerIsForgottenAfterMaxFailuresInARow() throws Exception {
        BootstrapCache cache = open(10, 3);
        PeerId a = peer();
        PeerId b = peer();
        cache.recordSuccess(a, tcp(1));
        cache.recordSuccess(b, tcp(2));

        cache.recordFailure(b);
        cache.recordFailure(b);
        cache.flush();
        assertThat(open(10, 3).entries().get(0).failures()).isEqualTo(2);
        assertThat(cache.entries()).extracting(BootstrapCache.Entry::peerId).containsExactly(b, a);

        cache.recordFailure(b);
        cache.flush();
        assertThat(cache.entries()).extracting(BootstrapCache.Entry::peerId).containsExactly(a);
        assertThat(open(10, 3).entries()).extracting(BootstrapCache.Entry::peerId).containsExactly(a);
    }

    @Test
    void aSuccessClearsTheFailureCount() throws Exception {
        BootstrapCache cache = open(10, 2);
        PeerId a = peer();
        cache.recordSuccess(a, tcp(1));
        cache.recordFailure(a);
        cache.recordSuccess(a, tcp(1));
        cache.recordFailure(a);

        assertThat(cache.entries()).hasSize(1);
        assertThat(cache.entries().get(0).failures()).isEqualTo(1);
    }

    @Test
    void aFailureOfAnUnknownPeerIsIgnored() throws Exception {
        BootstrapCache cache = open(10, 2);
        cache.recordFailure(peer());

        assertThat(cache.entries()).isEmpty();
        assertThat(cache.file()).doesNotExist();
    }

    @Test
    void aNewPeerIsWrittenAtOnceAndARepeatedSuccessWaitsForTheFlush() throws Exception {
        BootstrapCache cache = open(10, 3);
        PeerId a = peer();
        cache.recordSuccess(a, tcp(1));
        assertThat(open(10, 3).entries()).extracting(BootstrapCache.Entry::peerId).containsExactly(a);

        FileTime old = FileTime.fromMillis(Files.getLastModifiedTime(cache.file()).toMillis() - 60_000);
        Files.setLastModifiedTime(cache.file(), old);
        wallClock.addAndGet(1000);
        cache.recordSuccess(a, tcp(1));
        assertThat(Files.getLastModifiedTime(cache.file())).isEqualTo(old);

        cache.flush();
        assertThat(Files.getLastModifiedTime(cache.file())).isNotEqualTo(old);
        assertThat(open(10, 3).entries().get(0).lastSuccessMillis()).isEqualTo(1_700_000_001_000L);

        Files.setLastModifiedTime(cache.file(), old);
        cache.flush();
        assertThat(Files.getLastModifiedTime(cache.file())).as("a flush without changes writes nothing").isEqualTo(old);
    }

    @Test
    void theFileIsReadableByItsOwnerOnlyAndNoTemporaryFileIsLeft() throws Exception {
        BootstrapCache cache = open(10, 3);
        cache.recordSuccess(peer(), tcp(1));
        cache.flush();

        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.file()))).isEqualTo("rw-------");
        }
        try (var files = Files.list(dataDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(BootstrapCache.FILE_NAME);
        }
    }

    @Test
    void theFileIsTheDocumentedTextFormat() throws Exception {
        BootstrapCache cache = open(10, 3);
        PeerId a = peer();
        cache.recordSuccess(a, new Address(Transport.UDT, Kind.REFLEXIVE, new InetSocketAddress("2001:db8::7", 5000)));
        cache.recordSuccess(a, tcp(80));
        cache.recordFailure(a);
        cache.flush();

        assertThat(Files.readString(cache.file())).isEqualTo("# crust bootstrap cache v1\n"
                + a + " 1700000000000 1 tcp/host/192.0.2.1:80 udt/reflexive/[2001:db8:0:0:0:0:0:7]:5000\n");
    }

    @Test
    void aCorruptFileIsKeptAsideAndTheCacheStartsEmpty() throws Exception {
        Files.writeString(dataDir.resolve(BootstrapCache.FILE_NAME), "# crust bootstrap cache v1\nnot a peer id 1 2 3\n");

        BootstrapCache cache = open(10, 3);

        assertThat(cache.entries()).isEmpty();
        assertThat(dataDir.resolve(BootstrapCache.CORRUPT_FILE_NAME)).content(StandardCharsets.UTF_8).contains("not a peer id");
        cache.recordSuccess(peer(), tcp(1));
        cache.flush();
        assertThat(open(10, 3).entries()).hasSize(1);
    }

    @Test
    void everyKindOfDamageIsTreatedAsCorruption() throws Exception {
        String id = peer().toString();
        List<String> damaged = List.of(
                "",
                "# some other file\n",
                "# crust bootstrap cache v1\n" + id + " 1 0\n",
                "# crust bootstrap cache v1\n" + id + " -1 0 tcp/host/192.0.2.1:1\n",
                "# crust bootstrap cache v1\n" + id + " 1 x tcp/host/192.0.2.1:1\n",
                "# crust bootstrap cache v1\n" + id + " 1 0 tcp/host/example.org:1\n",
                "# crust bootstrap cache v1\n" + id + " 1 0 tcp/host/192.0.2.1:1\n" + id + " 1 0 tcp/host/192.0.2.1:1\n",
                "# crust bootstrap cache v1\n" + id + " 1 0" + " tcp/host/192.0.2.1:1".repeat(9) + "\n",
                "# crust bootstrap cache v1\n" + "x".repeat(5000) + "\n",
                "\u0000\u0001\u00ff garbage");
        for (String text : damaged) {
            Files.writeString(dataDir.resolve(BootstrapCache.FILE_NAME), text);
            assertThat(open(10, 3).entries()).as(text).isEmpty();
            assertThat(dataDir.resolve(BootstrapCache.CORRUPT_FILE_NAME)).as(text).exists();
            Files.delete(dataDir.resolve(BootstrapCache.CORRUPT_FILE_NAME));
        }
    }

    @Test
    void aFileLongerThanTheCapacityAllowsIsRefusedWithoutReadingIt() throws Exception {
        Files.write(dataDir.resolve(BootstrapCache.FILE_NAME), new byte[4 * 1024 * 1024]);

        assertThat(open(10, 3).entries()).isEmpty();
        assertThat(dataDir.resolve(BootstrapCache.CORRUPT_FILE_NAME)).exists();
    }

    @Test
    void peersBeyondASmallerCapacityAreDroppedOnLoad() throws Exception {
        BootstrapCache cache = open(10, 3);
        PeerId a = peer();
        PeerId b = peer();
        cache.recordSuccess(a, tcp(1));
        cache.recordSuccess(b, tcp(2));
        cache.flush();

        assertThat(open(1, 3).entries()).extracting(BootstrapCache.Entry::peerId).containsExactly(b);
    }
}

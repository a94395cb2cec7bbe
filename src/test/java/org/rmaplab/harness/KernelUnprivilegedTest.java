package org.rmaplab.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;

/**
 * The harness works for a user without privileges: the userfaultfd corpus ({@code scenarios/uffd})
 * passes on the kernel run as nobody (uid 65534, through setpriv), where the usual
 * {@code vm.unprivileged_userfaultfd=0} refuses a plain userfaultfd(2) and /dev/userfaultfd is
 * root's: vmsh then asks for UFFD_USER_MODE_ONLY. Needs root to become nobody; skipped with the
 * reason otherwise.
 */
class KernelUnprivilegedTest {
    static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

    @TempDir
    Path dir;

    @Test
    void theUffdCorpusPassesAsNobody() throws Exception {
        KernelAvailable.kernel();
        assumeTrue(isRoot(), "skipped: becoming nobody needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "skipped: no /usr/bin/setpriv");
        // The harness and the scenarios where nobody can read them (a test's @TempDir is 0700).
        Path cache = dir.resolve("cache");
        Harness h = Harness.obtain(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")), cache);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(h.binary(), PosixFilePermissions.fromString("rwxr-xr-x"));
        KernelRunner nobody = new KernelRunner(h, AS_NOBODY);
        List<String> failed = new ArrayList<>();
        int files = 0;
        List<Path> corpus = uffdCorpus();
        for (Path file : corpus) {
            Path copy = dir.resolve(file.getFileName());
            Files.copy(file, copy);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
            Scenario sc = ScenarioParser.parseFile(file);
            KernelReplay.LinuxResult r = KernelCorpusTest.retried(file, () -> KernelReplay.judge(sc, nobody.run(copy)));
            files++;
            if (!r.passed()) {
                failed.add(file + ":\n" + String.join("\n", r.report()));
            }
        }
        assertTrue(files >= 10, "the uffd corpus has " + files + " files");
        assertTrue(failed.isEmpty(), () -> failed.size() + " of " + corpus.size()
                + " files fail as nobody:\n" + String.join("\n", failed));
    }

    static List<Path> uffdCorpus() throws IOException {
        try (Stream<Path> s = Files.list(KernelCorpusTest.ROOT.resolve("scenarios/uffd"))) {
            return s.filter(p -> p.toString().endsWith(".vms")).sorted().toList();
        }
    }

    /** uid 0, from /proc/self/status. */
    static boolean isRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[1].equals("0");
            }
        }
        return false;
    }
}

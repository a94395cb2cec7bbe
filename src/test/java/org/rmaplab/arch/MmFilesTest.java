package org.rmaplab.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The core is the map of Linux's mm/: every class of org.rmaplab.mm opens its Javadoc with the
 * Linux file it mirrors (or, for a structure, the struct it is), and no main source file passes
 * 1,000 lines. A new class must say which Linux file or struct it stands for, or be named here as
 * the model's own.
 */
class MmFilesTest {
    static final Path MM = Path.of("src/main/java/org/rmaplab/mm");
    /** A Linux source path at the start of the first line: mm/rmap.c, fs/exec.c, include/linux/mm.h... */
    static final Pattern FILE = Pattern.compile("^(mm|fs|kernel|include|arch)/[\\w/.-]+\\.[ch]\\b");
    static final Pattern STRUCT = Pattern.compile("\\(?struct [a-z_]+\\)?");
    /** The model's own: the machine and its interfaces, with no single Linux file behind them. */
    static final Set<String> OWN = Set.of("Machine", "MachineConfig", "Syscalls", "RmapDesign", "RmapHost",
            "RmapSelfCheck", "RmapStats", "RmapStructure", "RmapWalkControl", "DesignTraits", "Footprint");

    @Test
    void everyCoreClassNamesItsLinuxFileOrStruct() throws IOException {
        Set<String> wrong = new TreeSet<>();
        try (Stream<Path> s = Files.list(MM)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String cls = p.getFileName().toString().replace(".java", "");
                if (cls.equals("package-info") || OWN.contains(cls)) {
                    continue;
                }
                String first = firstJavadocLine(Files.readString(p));
                if (!FILE.matcher(first).find() && !STRUCT.matcher(first).find()) {
                    wrong.add(cls + ": " + first);
                }
            }
        }
        assertEquals(Set.of(), wrong, "classes whose Javadoc's first line names no Linux file or struct");
    }

    @Test
    void theSystemCallFilesNameTheirFileFirst() throws IOException {
        for (String cls : List.of("Mmap", "Mremap", "Mprotect", "Madvise", "Mlock", "Memory", "VmaOps", "Rmap",
                "Vmscan", "SwapState", "Swapfile", "Shmem", "Userfaultfd", "Gup", "Fork", "Exec", "Exit", "OomKill",
                "ProcMaps")) {
            String first = firstJavadocLine(Files.readString(MM.resolve(cls + ".java")));
            assertTrue(FILE.matcher(first).find(), cls + ": " + first);
        }
    }

    @Test
    void noMainSourceFileOver1000Lines() throws IOException {
        Set<String> big = new TreeSet<>();
        try (Stream<Path> s = Files.walk(Path.of("src/main/java"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
                long n = Files.readAllLines(p).size();
                if (n > 1000) {
                    big.add(p + ": " + n);
                }
            }
        }
        assertEquals(Set.of(), big);
    }

    static String firstJavadocLine(String src) {
        Matcher m = Pattern.compile("/\\*\\*\\s*\\n\\s*\\*\\s*(.*)").matcher(src);
        return m.find() ? m.group(1).trim() : "";
    }
}

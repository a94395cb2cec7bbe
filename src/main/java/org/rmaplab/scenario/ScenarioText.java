package org.rmaplab.scenario;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.rmaplab.mm.Mman;
import org.rmaplab.mm.PageTable;

/**
 * The scenario language's words for protections, flags and advice, and the one printer of values
 * in its syntax (docs/scenario-language.md): the parser reads the tables, and everything that
 * writes scenarios — the generators' two profiles, the trace converter, the named workloads —
 * prints through here, so a word is spelled in one place.
 */
public final class ScenarioText {
    private ScenarioText() {}

    /** Flag names of mmap (include/uapi/asm-generic/mman*.h, linux/mman.h), in the contract's order. */
    public static final Map<String, Integer> MMAP_FLAGS = linked(
            "shared", Mman.MAP_SHARED,
            "private", Mman.MAP_PRIVATE,
            "shared_validate", Mman.MAP_SHARED_VALIDATE,
            "fixed", Mman.MAP_FIXED,
            "anonymous", Mman.MAP_ANONYMOUS,
            "growsdown", Mman.MAP_GROWSDOWN,
            "denywrite", Mman.MAP_DENYWRITE,
            "executable", Mman.MAP_EXECUTABLE,
            "locked", Mman.MAP_LOCKED,
            "noreserve", Mman.MAP_NORESERVE,
            "populate", Mman.MAP_POPULATE,
            "nonblock", Mman.MAP_NONBLOCK,
            "stack", Mman.MAP_STACK,
            "hugetlb", Mman.MAP_HUGETLB,
            "sync", Mman.MAP_SYNC,
            "fixed_noreplace", Mman.MAP_FIXED_NOREPLACE);

    /** mremap flags (include/uapi/linux/mman.h). */
    public static final Map<String, Integer> MREMAP_FLAGS = linked(
            "maymove", Mman.MREMAP_MAYMOVE,
            "fixed", Mman.MREMAP_FIXED,
            "dontunmap", Mman.MREMAP_DONTUNMAP,
            // rmaplab addition: Stoakes' flags of 2025 (never merged; Linux 6.18 says EINVAL).
            "relocate_anon", Mman.MREMAP_RELOCATE_ANON,
            "must_relocate_anon", Mman.MREMAP_MUST_RELOCATE_ANON);

    /** UFFDIO_MOVE modes (include/uapi/linux/userfaultfd.h). */
    public static final Map<String, Integer> MOVE_FLAGS = linked(
            "dontwake", 1 << 0,
            "allow_src_holes", 1 << 1);

    /** UFFDIO_COPY modes (include/uapi/linux/userfaultfd.h). */
    public static final Map<String, Integer> COPY_FLAGS = linked(
            "dontwake", 1 << 0,
            "wp", 1 << 1);

    /** remap_anon_pages flags of the 2014 patch set (RAP_ALLOW_SRC_HOLES). */
    public static final Map<String, Integer> RAP_FLAGS = linked(
            "allow_src_holes", 1 << 0);

    /** madvise advice of the contract and rmaplab's additions. */
    public static final Map<String, Integer> ADVICE = linked(
            "dontneed", Mman.MADV_DONTNEED,
            "dontfork", Mman.MADV_DONTFORK,
            "dofork", Mman.MADV_DOFORK,
            "pageout", Mman.MADV_PAGEOUT,
            "remove", Mman.MADV_REMOVE);

    /** The order mmap's flags are printed in after the mapping type (the generators' order, then the rest). */
    private static final String[] MMAP_PRINT_ORDER = {"anonymous", "fixed", "fixed_noreplace", "populate", "locked",
        "growsdown", "denywrite", "executable", "noreserve", "nonblock", "stack", "hugetlb", "sync"};

    /** {@code none}, or the letters of rwx that PROT has (PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4). */
    public static String prot(int prot) {
        if ((prot & (Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC)) == 0) {
            return "none";
        }
        return ((prot & Mman.PROT_READ) != 0 ? "r" : "") + ((prot & Mman.PROT_WRITE) != 0 ? "w" : "")
                + ((prot & Mman.PROT_EXEC) != 0 ? "x" : "");
    }

    /** mmap flags: the mapping type (shared, private or shared_validate), then the others joined by |. */
    public static String mmapFlags(int flags) {
        int type = flags & Mman.MAP_SHARED_VALIDATE;
        StringBuilder b = new StringBuilder(type == Mman.MAP_SHARED_VALIDATE ? "shared_validate"
                : type == Mman.MAP_SHARED ? "shared" : "private");
        for (String w : MMAP_PRINT_ORDER) {
            word(b, flags, MMAP_FLAGS.get(w), w);
        }
        return b.toString();
    }

    /** mremap flags: {@code 0}, or maymove, fixed, dontunmap joined by |. */
    public static String mremapFlags(int flags) {
        return flags == 0 ? "0" : words(MREMAP_FLAGS, flags);
    }

    /** UFFDIO_MOVE modes: {@code 0}, or dontwake, allow_src_holes joined by |. */
    public static String moveFlags(int flags) {
        return flags == 0 ? "0" : words(MOVE_FLAGS, flags);
    }

    /** An advice word ({@code dontneed}, ...). */
    public static String advice(int advice) {
        for (Map.Entry<String, Integer> e : ADVICE.entrySet()) {
            if (e.getValue() == advice) {
                return e.getKey();
            }
        }
        throw new IllegalArgumentException("advice " + advice + " has no word in the scenario language");
    }

    /** {@code 0xHEX}. */
    public static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** N pages: {@code Np}. */
    public static String pages(long n) {
        return n + "p";
    }

    /** {@code NAME}, or {@code NAME+Kp}: an address K pages into a bound region. */
    public static String at(String name, long k) {
        return k == 0 ? name : name + "+" + k + "p";
    }

    /**
     * A signed distance in the language's address terms: {@code +4p}, {@code -16p}, {@code +1p+5},
     * {@code +5}, or nothing for 0 (pages of 4 KiB, then bytes, both with the distance's sign).
     */
    public static String offset(long d) {
        if (d == 0) {
            return "";
        }
        String sign = d > 0 ? "+" : "-";
        long a = Math.abs(d);
        StringBuilder b = new StringBuilder();
        if (a / PageTable.PAGE_SIZE != 0) {
            b.append(sign).append(a / PageTable.PAGE_SIZE).append('p');
        }
        if (a % PageTable.PAGE_SIZE != 0) {
            b.append(sign).append(a % PageTable.PAGE_SIZE);
        }
        return b.toString();
    }

    /** A length: in pages ({@code 5p}) when it is a whole, non-zero number of them, else in bytes. */
    public static String length(long len) {
        return len != 0 && len % PageTable.PAGE_SIZE == 0 ? pages(len / PageTable.PAGE_SIZE) : Long.toString(len);
    }

    private static String words(Map<String, Integer> table, int flags) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Integer> e : table.entrySet()) {
            word(b, flags, e.getValue(), e.getKey());
        }
        return b.toString();
    }

    private static void word(StringBuilder b, int flags, int bit, String word) {
        if ((flags & bit) != 0) {
            if (!b.isEmpty()) {
                b.append('|');
            }
            b.append(word);
        }
    }

    private static Map<String, Integer> linked(Object... kv) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Integer) kv[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }
}

package org.rmaplab.traces;

import java.util.ArrayList;
import java.util.List;

/**
 * perf's syscall tracepoints print every argument as a number; the converter reads calls as
 * strace spells them ({@link StraceArgs}, {@link MmapFlags}). This rewrites a call's numbers in
 * strace's spelling: x86-64's values of PROT_*, MAP_*, MREMAP_*, MADV_* and CLONE_*
 * (include/uapi/asm-generic/mman-common.h, include/uapi/linux/mman.h, include/uapi/linux/sched.h).
 */
final class StraceSpelling {
    private StraceSpelling() {}

    private static final String[][] MAP = {
        {"1", "MAP_SHARED"}, {"2", "MAP_PRIVATE"}, {"10", "MAP_FIXED"}, {"20", "MAP_ANONYMOUS"}, {"40", "MAP_32BIT"},
        {"100", "MAP_GROWSDOWN"}, {"800", "MAP_DENYWRITE"}, {"1000", "MAP_EXECUTABLE"}, {"2000", "MAP_LOCKED"},
        {"4000", "MAP_NORESERVE"}, {"8000", "MAP_POPULATE"}, {"10000", "MAP_NONBLOCK"}, {"20000", "MAP_STACK"},
        {"40000", "MAP_HUGETLB"}, {"80000", "MAP_SYNC"}, {"100000", "MAP_FIXED_NOREPLACE"},
        {"4000000", "MAP_UNINITIALIZED"},
    };

    private static final String[][] CLONE = {
        {"100", "CLONE_VM"}, {"200", "CLONE_FS"}, {"400", "CLONE_FILES"}, {"800", "CLONE_SIGHAND"},
        {"4000", "CLONE_VFORK"}, {"8000", "CLONE_PARENT"}, {"10000", "CLONE_THREAD"},
    };

    private static final String[] MADV = new String[26];

    static {
        String[] names = {"NORMAL", "RANDOM", "SEQUENTIAL", "WILLNEED", "DONTNEED", null, null, null, "FREE", "REMOVE",
            "DONTFORK", "DOFORK", "MERGEABLE", "UNMERGEABLE", "HUGEPAGE", "NOHUGEPAGE", "DONTDUMP", "DODUMP",
            "WIPEONFORK", "KEEPONFORK", "COLD", "PAGEOUT", "POPULATE_READ", "POPULATE_WRITE", null, "COLLAPSE"};
        for (int i = 0; i < names.length; i++) {
            MADV[i] = names[i] == null ? null : "MADV_" + names[i];
        }
    }

    /** The arguments of call NAME with values A (PATH: the file an MMAP2 record named, or null); null if not converted. */
    static String args(String name, long[] a, String path) {
        return switch (name) {
            case "mmap", "mmap2" -> a.length < 6 ? null : addr(a[0]) + ", " + a[1] + ", " + prot((int) a[2]) + ", "
                    + mmapFlags(a[3]) + ", " + (int) a[4] + (path == null ? "" : "<" + path + ">") + ", " + a[5];
            case "munmap", "mlock", "munlock" -> a.length < 2 ? null : addr(a[0]) + ", " + a[1];
            case "mlock2" -> a.length < 3 ? null : addr(a[0]) + ", " + a[1] + ", " + a[2];
            case "mprotect" -> a.length < 3 ? null : addr(a[0]) + ", " + a[1] + ", " + prot((int) a[2]);
            case "madvise" -> a.length < 3 ? null : addr(a[0]) + ", " + a[1] + ", " + madvise(a[2]);
            case "mremap" -> a.length < 5 ? null : addr(a[0]) + ", " + a[1] + ", " + a[2] + ", " + mremapFlags(a[3])
                    + ((a[3] & 2) != 0 ? ", " + addr(a[4]) : "");
            case "brk" -> a.length < 1 ? null : addr(a[0]);
            default -> null;
        };
    }

    static String addr(long v) {
        return v == 0 ? "NULL" : "0x" + Long.toHexString(v);
    }

    static String prot(int p) {
        if ((p & 7) == 0) {
            return "PROT_NONE";
        }
        List<String> s = new ArrayList<>();
        if ((p & 1) != 0) {
            s.add("PROT_READ");
        }
        if ((p & 2) != 0) {
            s.add("PROT_WRITE");
        }
        if ((p & 4) != 0) {
            s.add("PROT_EXEC");
        }
        if ((p & 0x01000000) != 0) {
            s.add("PROT_GROWSDOWN");
        }
        if ((p & 0x02000000) != 0) {
            s.add("PROT_GROWSUP");
        }
        return String.join("|", s);
    }

    static String mmapFlags(long f) {
        return bits(f, MAP, f & ~0x3L & 0x3fL << 26);
    }

    static String cloneFlags(long f) {
        List<String> s = new ArrayList<>(); // only the flags TaskCalls reads (the low byte is the exit signal)
        for (String[] b : CLONE) {
            if ((f & Long.parseLong(b[0], 16)) != 0) {
                s.add(b[1]);
            }
        }
        return s.isEmpty() ? "0" : String.join("|", s);
    }

    private static String mremapFlags(long f) {
        List<String> s = new ArrayList<>();
        if ((f & 1) != 0) {
            s.add("MREMAP_MAYMOVE");
        }
        if ((f & 2) != 0) {
            s.add("MREMAP_FIXED");
        }
        if ((f & 4) != 0) {
            s.add("MREMAP_DONTUNMAP");
        }
        return s.isEmpty() ? "0" : String.join("|", s);
    }

    private static String madvise(long v) {
        return v >= 0 && v < MADV.length && MADV[(int) v] != null ? MADV[(int) v] : "MADV_" + v;
    }

    /** The names of F's bits in TABLE (hex values); MAP_SHARED_VALIDATE is both low bits; HUGE: MAP_HUGE_* bits. */
    private static String bits(long f, String[][] table, long huge) {
        List<String> s = new ArrayList<>();
        long left = f;
        if (table == MAP && (f & 3) == 3) {
            s.add("MAP_SHARED_VALIDATE");
            left &= ~3L;
        }
        for (String[] b : table) {
            long v = Long.parseLong(b[0], 16);
            if ((left & v) != 0) {
                s.add(b[1]);
                left &= ~v;
            }
        }
        if (huge != 0) {
            s.add("MAP_HUGE_" + (1L << (huge >>> 26)));
            left &= ~huge;
        }
        if (left != 0) {
            s.add("0x" + Long.toHexString(left));
        }
        return s.isEmpty() ? "0" : String.join("|", s);
    }
}

package org.rmaplab.scenario;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operations of the scenario language, version 1, with their argument kinds and result kind.
 * The parser validates argument counts and kinds from this table.
 */
public enum Op {
    // task operations
    MMAP("mmap", false, Result.ADDRESS, "ADDR LEN PROT FLAGS [FILE OFFSET]", new int[] {4, 6},
            Kind.ADDR, Kind.LEN, Kind.PROT, Kind.MMAP_FLAGS, Kind.FILE, Kind.LEN),
    MUNMAP("munmap", false, Result.STATUS, "ADDR LEN", new int[] {2}, Kind.ADDR, Kind.LEN),
    MPROTECT("mprotect", false, Result.STATUS, "ADDR LEN PROT", new int[] {3}, Kind.ADDR, Kind.LEN, Kind.PROT),
    MREMAP("mremap", false, Result.ADDRESS, "OLD OLDLEN NEWLEN FLAGS [NEWADDR]", new int[] {4, 5},
            Kind.ADDR, Kind.LEN, Kind.LEN, Kind.MREMAP_FLAGS, Kind.ADDR),
    MADVISE("madvise", false, Result.STATUS, "ADDR LEN ADVICE", new int[] {3}, Kind.ADDR, Kind.LEN, Kind.ADVICE),
    MLOCK("mlock", false, Result.STATUS, "ADDR LEN", new int[] {2}, Kind.ADDR, Kind.LEN),
    MUNLOCK("munlock", false, Result.STATUS, "ADDR LEN", new int[] {2}, Kind.ADDR, Kind.LEN),
    BRK("brk", false, Result.ADDRESS, "ADDR", new int[] {1}, Kind.ADDR),
    WRITE("write", false, Result.ACCESS, "ADDR LEN VALUE", new int[] {3}, Kind.ADDR, Kind.LEN, Kind.VALUE),
    /**
     * rmaplab addition: adds VALUE to every page's value in one read-modify-write access (x86's
     * {@code lock add}: a write fault), so that a COW copy that lost the old contents shows.
     */
    ADD("add", false, Result.ACCESS, "ADDR LEN VALUE", new int[] {3}, Kind.ADDR, Kind.LEN, Kind.VALUE),
    READ("read", false, Result.VALUE, "ADDR [LEN]", new int[] {1, 2}, Kind.ADDR, Kind.LEN),
    TOUCH("touch", false, Result.ACCESS, "ADDR LEN", new int[] {2}, Kind.ADDR, Kind.LEN),
    FORK("fork", false, Result.TASK, "", new int[] {0}),
    CLONE("clone", false, Result.TASK, "", new int[] {0}),
    EXEC("exec", false, Result.STATUS, "", new int[] {0}),
    EXIT("exit", false, Result.STATUS, "", new int[] {0}),
    VMA("vma", false, Result.VMA, "ADDR", new int[] {1}, Kind.ADDR),
    VMAS("vmas", false, Result.COUNT, "ADDR LEN", new int[] {2}, Kind.ADDR, Kind.LEN),
    /** rmaplab addition: the task's /proc/PID/maps; the result is its number of lines, the text goes to --verbose. */
    MAPS("maps", false, Result.COUNT, "", new int[] {0}),
    UFFD_REGISTER("uffd_register", false, Result.STATUS, "ADDR LEN", new int[] {2}, Kind.ADDR, Kind.LEN),
    UFFD_MOVE("uffd_move", false, Result.COUNT, "DST SRC LEN [FLAGS]", new int[] {3, 4},
            Kind.ADDR, Kind.ADDR, Kind.LEN, Kind.MOVE_FLAGS),
    UFFD_COPY("uffd_copy", false, Result.COUNT, "DST SRC LEN [FLAGS]", new int[] {3, 4},
            Kind.ADDR, Kind.ADDR, Kind.LEN, Kind.COPY_FLAGS),
    REMAP_ANON_PAGES("remap_anon_pages", false, Result.COUNT, "DST SRC LEN [FLAGS]", new int[] {3, 4},
            Kind.ADDR, Kind.ADDR, Kind.LEN, Kind.RAP_FLAGS),
    OPEN("open", false, Result.FILE, "NAME SIZE", new int[] {2}, Kind.FILE_NAME, Kind.LEN),
    FTRUNCATE("ftruncate", false, Result.STATUS, "FILE SIZE", new int[] {2}, Kind.FILE, Kind.LEN),
    REMAP_FILE_PAGES("remap_file_pages", false, Result.STATUS, "ADDR LEN PGOFF", new int[] {3},
            Kind.ADDR, Kind.LEN, Kind.LEN),
    // global operations
    RECLAIM("reclaim", true, Result.COUNT, "COUNT|all", new int[] {1}, Kind.COUNT_OR_ALL),
    CHECK("check", true, Result.NONE, "", new int[] {0});

    /** The kind of one argument. */
    public enum Kind {
        /** An address or value expression; may use bound names. */
        ADDR,
        /** A size: a constant expression (numbers, sizes, +/- terms; no names). */
        LEN,
        /** A 64-bit value to store; may use bound names. */
        VALUE,
        PROT,
        MMAP_FLAGS,
        MREMAP_FLAGS,
        /** UFFDIO_MOVE mode flags. */
        MOVE_FLAGS,
        /** UFFDIO_COPY mode flags. */
        COPY_FLAGS,
        /** remap_anon_pages (2014) flags. */
        RAP_FLAGS,
        ADVICE,
        /** A name bound by {@code open}. */
        FILE,
        /** The NAME of {@code open}: a label for the file. */
        FILE_NAME,
        /** A constant or {@code all}. */
        COUNT_OR_ALL
    }

    /** What an operation returns, which decides the results it may expect and how they print. */
    public enum Result {
        /** An address or -errno (mmap, mremap, brk): printed in hex. */
        ADDRESS,
        /** 0 or -errno: printed in decimal. */
        STATUS,
        /** A memory access without a value (write, touch): 0, SEGV or BUS. */
        ACCESS,
        /** read: a value (hex), MIXED, SEGV or BUS. */
        VALUE,
        /** A task (fork, clone): ok or an errno. */
        TASK,
        /** vma: {@code START..END PERMS} or none. */
        VMA,
        /** A count or -errno: printed in decimal. */
        COUNT,
        /** A file (open): ok or an errno. */
        FILE,
        /** No result (check). */
        NONE
    }

    private final String word;
    private final boolean global;
    private final Result result;
    private final String usage;
    private final int[] arities;
    private final List<Kind> kinds;

    Op(String word, boolean global, Result result, String usage, int[] arities, Kind... kinds) {
        this.word = word;
        this.global = global;
        this.result = result;
        this.usage = usage;
        this.arities = arities;
        this.kinds = List.of(kinds);
    }

    private static final Map<String, Op> BY_WORD = new HashMap<>();
    static {
        for (Op op : values()) {
            BY_WORD.put(op.word, op);
        }
    }

    /** The op spelled WORD in a scenario, or null. */
    public static Op byWord(String word) {
        return BY_WORD.get(word);
    }

    /** The op as spelled in a scenario ({@code mmap}, {@code uffd_move}, ...). */
    public String word() {
        return word;
    }

    /** A global op ({@code reclaim}, {@code check}) takes no task. */
    public boolean isGlobal() {
        return global;
    }

    public Result result() {
        return result;
    }

    /** The argument synopsis, e.g. {@code ADDR LEN PROT}. */
    public String usage() {
        return usage;
    }

    /** The kind of the i-th argument. */
    public Kind kind(int i) {
        return kinds.get(i);
    }

    public boolean acceptsArity(int n) {
        for (int a : arities) {
            if (a == n) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return word;
    }
}

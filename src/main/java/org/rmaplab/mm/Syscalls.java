package org.rmaplab.mm;

/**
 * The user-visible surface of the model: what a task can ask of the kernel. The scenario
 * executor and the random-sequence tests talk only to this interface, so that the oracle
 * ({@code org.rmaplab.check.CheckedSyscalls}) can sit between them and the {@link Machine}.
 *
 * <p>Conventions, as in Linux: a system call returns a non-negative result or {@code -errno}
 * ({@link Errno}). Memory accesses ({@link #write}, {@link #read}, {@link #touch}) return one of
 * {@link #ACCESS_OK}, {@link #ACCESS_SEGV}, {@link #ACCESS_BUS}; an access stops at the first page
 * that faults, after the pages before it were accessed (as a loop of loads or stores would).
 */
public interface Syscalls {
    int ACCESS_OK = 0;
    /** The access raised SIGSEGV: no vma, or the vma's protection forbids it. */
    int ACCESS_SEGV = 1;
    /** The access raised SIGBUS: a file page beyond the end of the file. */
    int ACCESS_BUS = 2;
    /**
     * The OOM killer ended the task during the access (or call). After any call, a task that is
     * no longer alive although it did not exit was killed: see {@link Task#oomKilled()}.
     */
    int ACCESS_KILLED = 3;

    /** The first task of a machine, with an empty address space (as right after exec). */
    Task initTask();

    /**
     * mmap(2). {@code file}: a number {@link #open} returned, or -1 (ignored with MAP_ANONYMOUS,
     * as the kernel ignores the descriptor); {@code off}: the byte offset in the file.
     */
    long mmap(Task t, long addr, long len, int prot, int flags, long file, long off);

    /** mmap(2) of anonymous memory (no file, offset 0). */
    default long mmap(Task t, long addr, long len, int prot, int flags) {
        return mmap(t, addr, len, prot, flags, -1, 0);
    }

    /**
     * A new tmpfs file of {@code size} bytes, all zero (open with O_CREAT, then ftruncate): its
     * number (&ge; 0), to pass to {@link #mmap} and {@link #ftruncate}, or -errno. Files live until
     * the machine does.
     */
    long open(Task t, String name, long size);

    /** ftruncate(2) of a file {@link #open} made: 0 or -errno. */
    long ftruncate(Task t, long file, long size);

    /** remap_file_pages(2) (emulated since Linux 4.0): 0 or -errno. */
    long remapFilePages(Task t, long start, long size, int prot, long pgoff, int flags);

    long munmap(Task t, long addr, long len);

    long mprotect(Task t, long addr, long len, int prot);

    long mremap(Task t, long oldAddr, long oldLen, long newLen, int flags, long newAddr);

    long madvise(Task t, long addr, long len, int advice);

    long mlock(Task t, long addr, long len);

    long munlock(Task t, long addr, long len);

    /** brk(2): {@code addr == 0} asks for the current break; returns the (possibly unchanged) break. */
    long brk(Task t, long addr);

    /** fork(2): a new task with a copy-on-write copy of t's address space; null when out of memory (ENOMEM). */
    Task fork(Task t);

    /** clone(2) with CLONE_VM: a new thread sharing t's address space. */
    Task clone(Task t);

    /** execve(2) of an empty image: t gets a fresh empty address space. Returns 0. */
    long exec(Task t);

    /** exit(2): t is gone; its address space is torn down when its last user exits. Returns 0. */
    long exit(Task t);

    /** Stores value into the first 8 bytes of every page of [addr, addr+len). */
    int write(Task t, long addr, long len, long value);

    /**
     * Adds value to the first 8 bytes of every page of [addr, addr+len), each in one
     * read-modify-write access (a write fault, as x86's {@code lock add} takes). rmaplab
     * addition: what a COW copy must carry over shows in the sum.
     */
    default int add(Task t, long addr, long len, long value) {
        throw new UnsupportedOperationException("add is not supported by " + getClass().getSimpleName());
    }

    /** Loads from every page of [addr, addr+len) (read faults). */
    int touch(Task t, long addr, long len);

    /**
     * Loads the value of every page of [addr, addr+len) (len 0 means one page). On ACCESS_OK,
     * {@code out.value} holds the common value and {@code out.mixed} tells whether pages differed.
     */
    int read(Task t, long addr, long len, ReadResult out);

    /**
     * Global memory pressure: evicts up to count pages through the reclaim path
     * ({@code Long.MAX_VALUE}: everything that can be evicted). Returns the pages freed.
     */
    long reclaim(long count);

    /**
     * A scenario's {@code check} line: the oracle's full invariant check now, where an oracle
     * ({@code org.rmaplab.check.CheckedSyscalls}) sits behind this interface; a wrapper passes it
     * on. Nothing on the machine itself.
     */
    default void checkNow() {}

    /**
     * UFFDIO_REGISTER (missing mode) of [addr, addr+len) with t's userfaultfd, one per address
     * space. Afterwards a read or write fault on a missing page of the range is reported as
     * {@link #ACCESS_BUS}: the harness's convention (UFFD_FEATURE_SIGBUS), since a scenario has no
     * fault-handling thread. Returns 0 or -errno.
     */
    long uffdRegister(Task t, long addr, long len);

    /**
     * UFFDIO_MOVE of len bytes from src to the registered dst: len when everything moved,
     * -EAGAIN for a short move (the ioctl's -1/EAGAIN with uffdio_move.move &gt; 0), else -errno.
     */
    long uffdMove(Task t, long dst, long src, long len, int mode);

    /**
     * UFFDIO_COPY of len bytes from src (any address, page-aligned or not) into the registered
     * dst: new pages holding the source's contents. len when everything was copied, -EAGAIN for a
     * short copy (the ioctl's -1/EAGAIN with uffdio_copy.copy &gt; 0), else -errno.
     */
    long uffdCopy(Task t, long dst, long src, long len, int mode);

    /** remap_anon_pages(2) of the 2014 patch set (model only): bytes moved or -errno. */
    long remapAnonPages(Task t, long dst, long src, long len, int flags);

    /** The user-visible vma containing addr, as /proc/PID/maps shows it, or null. */
    VmaInfo vmaAt(Task t, long addr);

    /** How many user-visible vmas intersect [addr, addr+len). */
    int vmasIn(Task t, long addr, long len);

    /** t's /proc/PID/maps, a string per line (no newline), as the model can show it (ProcMaps). */
    java.util.List<String> maps(Task t);

    /** Result holder for {@link #read}, reused by callers to avoid allocation. */
    final class ReadResult {
        public long value;
        public boolean mixed;
    }

    /** One line of /proc/PID/maps: [start, end) and the perms column, e.g. {@code "rw-p"}. */
    record VmaInfo(long start, long end, String perms) {}
}

package org.rmaplab.mm;

/**
 * A virtual memory area (struct vm_area_struct): [vmStart, vmEnd) of one mm with one set of
 * flags, one backing (anonymous, or a file at vmPgoff) and the reverse-mapping state the design
 * hangs on it.
 *
 * <p>Invariants (checked by the oracle): vmStart &lt; vmEnd, both page-aligned; the vmas of an mm
 * do not overlap and are sorted; a shared vma has a {@link #file}; a private anonymous vma has
 * none; vmPgoff of a file vma is the file page mapped at vmStart; every present pte of the mm lies
 * inside a vma.
 */
public final class Vma {
    // vm_flags, with Linux's values (include/linux/mm.h).
    public static final long VM_READ = 0x1;
    public static final long VM_WRITE = 0x2;
    public static final long VM_EXEC = 0x4;
    public static final long VM_SHARED = 0x8;
    public static final long VM_MAYREAD = 0x10;
    public static final long VM_MAYWRITE = 0x20;
    public static final long VM_MAYEXEC = 0x40;
    public static final long VM_MAYSHARE = 0x80;
    public static final long VM_GROWSDOWN = 0x100;
    /**
     * VM_UFFD_MISSING: the vma is registered with its mm's userfaultfd in missing mode
     * (vm_userfaultfd_ctx set). The model has one userfaultfd per mm, so the flag names the ctx:
     * is_mergeable_vm_userfaultfd_ctx() reduces to the flag compare of is_mergeable_vma().
     */
    public static final long VM_UFFD_MISSING = 0x200;
    public static final long VM_LOCKED = 0x2000;
    public static final long VM_IO = 0x4000;
    public static final long VM_DONTCOPY = 0x20000;
    public static final long VM_DONTEXPAND = 0x40000;
    public static final long VM_LOCKONFAULT = 0x80000;
    public static final long VM_ACCOUNT = 0x100000;
    public static final long VM_NORESERVE = 0x200000;
    /**
     * VM_NONLINEAR (include/linux/mm.h, 2.6.11: {@code 0x00800000}, "Is non-linear (remap_file_pages)"):
     * remap_file_pages() rearranged the vma's ptes, so linear_page_index() no longer says which file
     * page an address shows; the vma leaves the file's i_mmap tree for i_mmap_nonlinear. Only with
     * {@code machine remap=nonlinear}.
     */
    public static final long VM_NONLINEAR = 0x800000;
    public static final long VM_SOFTDIRTY = 0x8000000;
    /**
     * Jamie Lokier's mremap-group flag (12 March 2004, docs/reference.md#lokier-offset-space): this vma and the following vma(s) with the flag
     * form one user-visible unit. Model-only; no Linux value.
     */
    public static final long VM_GROUP = 1L << 40;

    public static final long VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
    public static final long VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;
    /** Flags that do not prevent a merge (VM_IGNORE_MERGE = VM_SOFTDIRTY). */
    public static final long VM_IGNORE_MERGE = VM_SOFTDIRTY;

    public final Mm mm;
    long vmStart;
    long vmEnd;
    long vmFlags;
    long vmPgoff;
    /** The backing file (a shmem object for shared anonymous memory), or null. */
    AddressSpace file;
    /**
     * vm_file, the open file (struct file) the vma maps through, or null: a new one per mmap of a
     * FILE (the harness opens the file for each mmap, as a program opening it again would), kept
     * by fork, split, mremap and remap_file_pages (get_file). Merges and anon_vma_compatible()
     * compare it, not the file's pages: two mmaps of one file through two opens never merge.
     */
    Object vmFile;

    /** vma-&gt;anon_vma: the design's anon object for this vma, or null until prepared. */
    public Object anonVma;
    /** Anything else a design keeps per vma (the anon_vma_chain list, lokier's reserve, ...). */
    public Object rmapPriv;
    /**
     * vm_private_data of a VM_NONLINEAR vma (2.6.11): try_to_unmap_file()'s swapout cursor, the byte
     * offset in the vma up to which its clusters were scanned. Copied by split and fork as the
     * kernel's {@code *new = *vma} copies it.
     */
    long nonlinearCursor;

    Vma(Mm mm, long start, long end, long flags, long pgoff, AddressSpace file) {
        this.mm = mm;
        this.vmStart = start;
        this.vmEnd = end;
        this.vmFlags = flags;
        this.vmPgoff = pgoff;
        this.file = file;
        this.vmFile = file;
    }

    /** vm_area_dup(): a copy of every field but the design's list membership (anonVma kept). */
    Vma dup(Mm into) {
        Vma v = new Vma(into, vmStart, vmEnd, vmFlags, vmPgoff, file);
        v.vmFile = vmFile;
        v.anonVma = anonVma;
        v.nonlinearCursor = nonlinearCursor;
        return v;
    }

    public long start() {
        return vmStart;
    }

    public long end() {
        return vmEnd;
    }

    public long flags() {
        return vmFlags;
    }

    public long pgoff() {
        return vmPgoff;
    }

    public AddressSpace file() {
        return file;
    }

    /** vm_file: the open file's identity (see the field), or null. */
    public Object vmFile() {
        return vmFile;
    }

    public long pages() {
        return (vmEnd - vmStart) >>> Machine.PAGE_SHIFT;
    }

    /** vma_is_anonymous(): no file behind it (private anonymous memory). */
    public boolean isAnonymous() {
        return file == null;
    }

    /** userfaultfd_missing() / userfaultfd_armed(): registered with the mm's userfaultfd. */
    public boolean uffdArmed() {
        return (vmFlags & VM_UFFD_MISSING) != 0;
    }

    /** is_cow_mapping(): private and may be written. */
    public boolean isCowMapping() {
        return (vmFlags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
    }

    /** VM_NONLINEAR is set: remap_file_pages() rearranged the vma's ptes. */
    public boolean isNonlinear() {
        return (vmFlags & VM_NONLINEAR) != 0;
    }

    /** linear_page_index(): the pgoff of a user address in this vma. */
    public long linearPageIndex(long address) {
        return ((address - vmStart) >>> Machine.PAGE_SHIFT) + vmPgoff;
    }

    /**
     * vma_address(): the user address of pgoff in this vma, or -1 if it falls outside
     * (what page_address_in_vma() and vma_address() compute for a walk).
     */
    public long addressOf(long pgoff) {
        if (pgoff < vmPgoff) {
            return -1;
        }
        long off = pgoff - vmPgoff;
        if (off >= pages()) {
            return -1;
        }
        return vmStart + (off << Machine.PAGE_SHIFT);
    }

    /** The perms column of /proc/PID/maps: rwxp / rwxs. */
    public String perms() {
        char[] c = new char[4];
        c[0] = (vmFlags & VM_READ) != 0 ? 'r' : '-';
        c[1] = (vmFlags & VM_WRITE) != 0 ? 'w' : '-';
        c[2] = (vmFlags & VM_EXEC) != 0 ? 'x' : '-';
        c[3] = (vmFlags & VM_MAYSHARE) != 0 ? 's' : 'p';
        return new String(c);
    }

    @Override
    public String toString() {
        return String.format("%x-%x %s pgoff=%x%s", vmStart, vmEnd, perms(), vmPgoff,
                file != null ? " " + file : "");
    }
}

package org.rmaplab.mm;

/**
 * mm/gup.c: __mm_populate() / populate_vma_page_range() (MAP_POPULATE, mlock, mremap growth of a
 * locked vma), and the user accesses of a task (read, write, touch), which the model resolves as
 * the MMU and do_user_addr_fault() (arch/x86/mm/fault.c) do, fault by fault through
 * handle_mm_fault(), as fixup_user_fault() / __get_user_pages() do for the kernel's own accesses.
 * Linux 6.18 unless a method says otherwise.
 *
 * <p>Invariants kept: an access succeeds only inside a vma that allows it (a read: any of read,
 * write, exec on x86), and leaves the pte young (and dirty for a write); populate faults in
 * nothing a later access of the same kind would not have faulted in.
 *
 * <p>Lock order (for the reader): mmap_lock (read; write for mlock's populate in 2.6), then the
 * pte lock in each fault.
 */
final class Gup {
    private final Machine k;
    private final Frames frames;

    Gup(Machine k) {
        this.k = k;
        this.frames = k.frames;
    }

    /**
     * __mm_populate() → populate_vma_page_range(): faults in [start, end) as get_user_pages
     * would — a write fault in private writable vmas (breaking COW), a read fault elsewhere;
     * VM_IO and VM_LOCKONFAULT vmas are skipped. A PROT_NONE vma cannot be faulted in (no
     * FOLL_FORCE for it): -EFAULT. With {@code ignoreErrors} (mm_populate after mmap) the walk
     * goes on at the next vma; without it (mlock) it stops and returns the error.
     */
    long populate(Mm mm, long start, long end, boolean ignoreErrors) {
        long addr = start;
        while (addr < end) {
            Vma vma = mm.findVma(addr);
            if (vma == null || vma.vmStart >= end) {
                return 0;
            }
            if (addr < vma.vmStart) {
                addr = vma.vmStart;
            }
            long stop = Math.min(end, vma.vmEnd);
            long err = 0;
            if ((vma.vmFlags & (Vma.VM_IO | Vma.VM_LOCKONFAULT)) != 0) {
                addr = stop;
                continue;
            }
            if ((vma.vmFlags & Vma.VM_ACCESS_FLAGS) == 0) {
                err = -Errno.EFAULT;
            } else {
                boolean write = (vma.vmFlags & (Vma.VM_WRITE | Vma.VM_SHARED)) == Vma.VM_WRITE;
                for (long a = addr; a < stop; a += Machine.PAGE_SIZE) {
                    // follow_page_pte: no fault needed if the pte already allows the access.
                    long slot = PageTable.lookup(frames, mm.pgd, a);
                    if (slot >= 0) {
                        long pte = PageTable.get(frames, slot);
                        if (PageTable.present(pte) && (!write || PageTable.writable(pte))) {
                            continue;
                        }
                    }
                    int r = k.memory.handleFault(vma, a, write);
                    if (r != Memory.FAULT_OK) {
                        err = r == Memory.FAULT_OOM ? -Errno.ENOMEM : -Errno.EFAULT;
                        break;
                    }
                }
            }
            if (err != 0 && !ignoreErrors) {
                return err;
            }
            addr = stop;
        }
        return 0;
    }

    /** mm_populate(): {@link #populate(Mm, long, long, boolean)} ignoring errors. */
    void populate(Mm mm, long start, long end) {
        populate(mm, start, end, true);
    }

    /**
     * One user access at addr (the MMU then do_user_addr_fault / access_error on x86): SEGV when no
     * vma contains it or the vma forbids it — on x86 any of read, write or exec permission
     * allows a read — otherwise resolve the fault if the pte does not allow the access.
     * Returns the pfn accessed, or -1 - ACCESS_* on failure.
     */
    int access(Mm mm, long addr, boolean write) {
        Vma vma = mm.vmaLookup(addr);
        if (vma == null) {
            vma = k.mmap.expandStack(mm, addr); // lock_mm_and_find_vma: a stack below may grow to it
            if (vma == null) {
                return -1 - Syscalls.ACCESS_SEGV;
            }
        }
        if (write ? (vma.vmFlags & Vma.VM_WRITE) == 0 : (vma.vmFlags & Vma.VM_ACCESS_FLAGS) == 0) {
            return -1 - Syscalls.ACCESS_SEGV;
        }
        // The MMU retries the access after each fault until the pte allows it.
        for (int tries = 0; tries < 16; tries++) {
            long slot = PageTable.lookup(frames, mm.pgd, addr);
            if (slot >= 0) {
                long pte = PageTable.get(frames, slot);
                if (PageTable.present(pte) && (!write || PageTable.writable(pte))) {
                    PageTable.set(frames, slot, pte | PageTable.ACCESSED | (write ? PageTable.DIRTY : 0));
                    return PageTable.ptePfn(pte);
                }
            }
            int r = k.memory.handleFault(vma, addr, write);
            if (r == Memory.FAULT_SIGSEGV) {
                return -1 - Syscalls.ACCESS_SEGV;
            }
            if (r == Memory.FAULT_SIGBUS) {
                return -1 - Syscalls.ACCESS_BUS;
            }
            if (r == Memory.FAULT_OOM) {
                // The OOM killer ended this task (VM_FAULT_OOM → pagefault_out_of_memory).
                return -1 - Syscalls.ACCESS_KILLED;
            }
        }
        throw new IllegalStateException("a fault at 0x" + Long.toHexString(addr) + " keeps being retried");
    }

    /** The task stores value into the first 8 bytes of every page of [addr, addr+len): write faults. */
    int write(Task t, long addr, long len, long value) {
        return store(t, addr, len, value, false);
    }

    /** The task adds value to the first 8 bytes of every page of [addr, addr+len): one write fault each. */
    int add(Task t, long addr, long len, long value) {
        return store(t, addr, len, value, true);
    }

    private int store(Task t, long addr, long len, long value, boolean add) {
        k.requireAlive(t);
        long first = addr & Machine.PAGE_MASK;
        long end = len == 0 ? first + Machine.PAGE_SIZE : addr + len;
        for (long a = first; a < end; a += Machine.PAGE_SIZE) {
            int pfn = access(t.mm, a, true);
            if (pfn < 0) {
                return -1 - pfn;
            }
            frames.content[pfn] = add ? frames.content[pfn] + value : value;
        }
        return Syscalls.ACCESS_OK;
    }

    /** The task loads from every page of [addr, addr+len): read faults. */
    int touch(Task t, long addr, long len) {
        k.requireAlive(t);
        long first = addr & Machine.PAGE_MASK;
        long end = len == 0 ? first + Machine.PAGE_SIZE : addr + len;
        for (long a = first; a < end; a += Machine.PAGE_SIZE) {
            int pfn = access(t.mm, a, false);
            if (pfn < 0) {
                return -1 - pfn;
            }
        }
        return Syscalls.ACCESS_OK;
    }

    /** The task loads every page of [addr, addr+len); the value read goes to {@code out}. */
    int read(Task t, long addr, long len, Syscalls.ReadResult out) {
        k.requireAlive(t);
        long first = addr & Machine.PAGE_MASK;
        long end = len == 0 ? first + Machine.PAGE_SIZE : addr + len;
        boolean have = false;
        out.mixed = false;
        out.value = 0;
        for (long a = first; a < end; a += Machine.PAGE_SIZE) {
            int pfn = access(t.mm, a, false);
            if (pfn < 0) {
                return -1 - pfn;
            }
            long v = frames.content[pfn];
            if (!have) {
                out.value = v;
                have = true;
            } else if (v != out.value) {
                out.mixed = true;
            }
        }
        return Syscalls.ACCESS_OK;
    }
}

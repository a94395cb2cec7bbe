package org.rmaplab.check;

import java.util.ArrayList;
import java.util.List;

import org.rmaplab.mm.Errno;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Mremap;
import org.rmaplab.mm.NonlinearTruncate;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Userfaultfd;
import org.rmaplab.mm.Vma;

/**
 * The oracle between a caller (scenario runner, random sequences) and the {@link Machine}: every
 * call goes through, the {@link Shadow} learns what the program wrote and what the call did to it,
 * every read is compared with the shadow, and the full {@link Oracle} check runs after every call
 * ({@link CheckPolicy#EVERY}), at the end ({@link CheckPolicy#END}) or never.
 */
public final class CheckedSyscalls implements Syscalls {
    private final Machine k;
    private final CheckPolicy policy;
    private final Shadow shadow = new Shadow();
    private final Oracle oracle;
    private final ReadResult one = new ReadResult();
    private final Residency residency;

    public CheckedSyscalls(Machine k, CheckPolicy policy) {
        this.k = k;
        this.policy = policy;
        this.oracle = new Oracle(k, shadow);
        this.residency = new Residency(k);
    }

    public Machine machine() {
        return k;
    }

    /** Full checks run so far. */
    public long checks() {
        return oracle.checks();
    }

    /** Runs the full check now (a scenario's {@code check} line), unless checking is off. */
    @Override
    public void checkNow() {
        k.quiesce();
        if (policy != CheckPolicy.OFF) {
            oracle.check();
        }
    }

    /** End of a run: the full check under EVERY and END. */
    public void finish() {
        k.quiesce();
        if (policy != CheckPolicy.OFF) {
            oracle.check();
        }
    }

    private void after() {
        k.quiesce();
        shadow.retain(k.mms());
        if (policy == CheckPolicy.EVERY) {
            residency.after(lastCall);
            oracle.check();
        }
    }

    /**
     * Also judges every memory call (mmap, munmap, mprotect, mremap, madvise, mlock, munlock,
     * brk) by {@link ReferenceRules}: its result and the layout it leaves, against a second,
     * simple model written from the man pages and 6.18's checks. The random sequences turn it on.
     */
    public CheckedSyscalls judged() {
        judged = true;
        return this;
    }

    /** Calls the reference judged so far (not counting those it could not decide). */
    public long judgedCalls() {
        return judgedCalls;
    }

    private boolean judged;
    private long judgedCalls;

    /** The layout before a judged call, or null if calls are not judged. */
    private ReferenceLayout judging(Task t) {
        return judged && t.isAlive() ? ReferenceLayout.of(t.mm()) : null;
    }

    /** Compares the call's result R and the layout after it with the reference's verdict V. */
    private void judge(String call, Task t, ReferenceLayout pre, ReferenceRules.Verdict v, long r) {
        if (pre == null || v.unknown() || !t.isAlive()) {
            return; // undecided, or the OOM killer ended the task during the call
        }
        judgedCalls++;
        if (v.problem != null) {
            throw new InvariantViolation(call + ": " + v.problem);
        }
        if (r == v.alsoAllowed && r != 0) {
            return; // populate short of memory: not judged
        }
        if (r != v.ret) {
            throw new InvariantViolation(call + " returned " + result(r) + " where the reference (ReferenceRules) expects "
                    + result(v.ret) + "; the layout before: " + pre);
        }
        String d = v.after == null ? null : v.after.differsFrom(ReferenceLayout.of(t.mm()), pre);
        if (d != null) {
            throw new InvariantViolation(call + " returned " + result(r) + " but left a layout the reference does not:\n  "
                    + d + "\n  the layout before: " + pre);
        }
    }

    private static String result(long r) {
        return Errno.isError(r) ? "-" + Errno.name((int) -r) : "0x" + Long.toHexString(r);
    }

    /** The call about to run, for {@link Residency}'s message. */
    private String lastCall = "";

    /**
     * Before a call that unmaps nothing by the program's request (under EVERY): {@link Residency}
     * remembers the present ptes of VM_LOCKED vmas, which the call must leave present.
     */
    private void keepsLocked(String call) {
        lastCall = call;
        if (policy == CheckPolicy.EVERY) {
            residency.before();
        }
    }


    @Override
    public Task initTask() {
        Task t = k.initTask();
        after();
        return t;
    }

    @Override
    public long mmap(Task t, long addr, long len, int prot, int flags, long file, long off) {
        lastCall = "mmap";
        if (policy == CheckPolicy.EVERY) {
            // A MAP_FIXED mapping replaces what was there, locked or not: its range is not judged.
            long start = addr & Machine.PAGE_MASK;
            residency.before(t.mm(), (flags & (Mman.MAP_FIXED | Mman.MAP_FIXED_NOREPLACE)) != 0 ? start : 0,
                    (flags & (Mman.MAP_FIXED | Mman.MAP_FIXED_NOREPLACE)) != 0 ? start + PageTable.pageAlign(len) : 0);
        }
        ReferenceLayout pre = judging(t);
        long r = k.mmap(t, addr, len, prot, flags, file, off);
        if (pre != null) {
            boolean anon = (flags & Mman.MAP_ANONYMOUS) != 0;
            judge(String.format("mmap(0x%x, %d, %d, 0x%x, %d, %d)", addr, len, prot, flags, file, off), t, pre,
                    !anon && k.file(file) == null ? ReferenceRules.Verdict.UNKNOWN
                            : ReferenceRules.mmap(pre, addr, len, prot, flags, anon ? null : k.file(file), off, r), r);
        }
        if (!Errno.isError(r)) {
            shadow.forget(t.mm(), r, r + PageTable.pageAlign(len));
            shadow.prune(t.mm());
            learnCopies(t.mm(), r, r + PageTable.pageAlign(len));
        }
        after();
        return r;
    }

    @Override
    public long open(Task t, String name, long size) {
        keepsLocked("open");
        long r = k.open(t, name, size);
        after();
        return r;
    }

    @Override
    public long ftruncate(Task t, long file, long size) {
        long old = k.file(file) == null ? 0 : k.file(file).size();
        long r = k.ftruncate(t, file, size);
        if (r == 0 && size < old) {
            NonlinearTruncate mode = k.config().truncate();
            shadow.truncate(k.file(file), old, size, k.mms(),
                    mode == NonlinearTruncate.LINEAR || mode == NonlinearTruncate.CLEANUP);
        }
        after();
        return r;
    }

    @Override
    public long remapFilePages(Task t, long start, long size, int prot, long pgoff, int flags) {
        long r = k.remapFilePages(t, start, size, prot, pgoff, flags);
        if (r == 0 && k.config().nonlinear()) {
            shadow.remapped(t.mm(), start & Machine.PAGE_MASK, size & Machine.PAGE_MASK, pgoff);
        }
        shadow.prune(t.mm());
        after();
        return r;
    }

    @Override
    public long munmap(Task t, long addr, long len) {
        ReferenceLayout pre = judging(t);
        long r = k.munmap(t, addr, len);
        if (pre != null) {
            judge(String.format("munmap(0x%x, %d)", addr, len), t, pre, ReferenceRules.munmap(pre, addr, len), r);
        }
        shadow.prune(t.mm());
        after();
        return r;
    }

    @Override
    public long mprotect(Task t, long addr, long len, int prot) {
        keepsLocked("mprotect");
        ReferenceLayout pre = judging(t);
        long r = k.mprotect(t, addr, len, prot);
        if (pre != null) {
            judge(String.format("mprotect(0x%x, %d, %d)", addr, len, prot), t, pre,
                    ReferenceRules.mprotect(pre, addr, len, prot), r);
        }
        learnCopies(t.mm(), addr, addr + PageTable.pageAlign(len));
        after();
        return r;
    }

    @Override
    public long mremap(Task t, long oldAddr, long oldLen, long newLen, int flags, long newAddr) {
        Mm mm = t.mm();
        long ol = PageTable.pageAlign(oldLen);
        long nl = PageTable.pageAlign(newLen);
        // A MREMAP_FIXED move without a size change moves each source vma on its own and unmaps
        // only where one lands (remap_move): remember the pieces the source range covers.
        List<long[]> pieces = new ArrayList<>();
        if ((flags & Mman.MREMAP_FIXED) != 0 && ol == nl) {
            for (int i = 0; i < mm.mapCount(); i++) {
                Vma v = mm.vma(i);
                long s = Math.max(v.start(), oldAddr);
                long e = Math.min(v.end(), oldAddr + ol);
                if (s < e) {
                    pieces.add(new long[] {s, e});
                }
            }
        }
        ReferenceLayout pre = judging(t);
        Mremap.Result res = k.mremapFull(t, new Mremap.Request(oldAddr, oldLen, newLen, flags, newAddr));
        long r = res.ret();
        if (pre != null) {
            judge(String.format("mremap(0x%x, %d, %d, %d, 0x%x)", oldAddr, oldLen, newLen, flags, newAddr), t, pre,
                    ReferenceMremap.mremap(pre, oldAddr, oldLen, newLen, flags, newAddr, r), r);
        }
        if (!Errno.isError(r)) {
            if (!pieces.isEmpty() && r != oldAddr) {
                for (long[] p : pieces) {
                    long d = r + (p[0] - oldAddr);
                    shadow.forget(mm, d, d + (p[1] - p[0]));
                    shadow.move(mm, p[0], p[1] - p[0], d);
                }
            } else if (r != oldAddr) {
                shadow.forget(mm, r, r + nl);
                shadow.move(mm, oldAddr, Math.min(ol, nl), r);
            } else if (nl > ol) {
                shadow.forget(mm, oldAddr + ol, oldAddr + nl);
            }
            shadow.prune(mm);
            learnCopies(mm, r, r + nl);
        } else if (!pieces.isEmpty() && res.movedBeforeError() > 0) {
            // remap_move() failed on a later vma: the earlier ones stay moved, gaps kept.
            long done = oldAddr + res.movedBeforeError();
            for (long[] p : pieces) {
                if (p[0] < done) {
                    long d = newAddr + (p[0] - oldAddr);
                    shadow.forget(mm, d, d + (p[1] - p[0]));
                    shadow.move(mm, p[0], p[1] - p[0], d);
                }
            }
            shadow.prune(mm);
        } else if (r == -Errno.EFAULT && (flags & Mman.MREMAP_MUST_RELOCATE_ANON) != 0
                && (flags & Mman.MREMAP_FIXED) != 0 && mm.findVmaIntersection(newAddr, newAddr + nl) == null) {
            // MREMAP_MUST_RELOCATE_ANON's EFAULT comes after mremap_to() unmapped a FIXED
            // destination (Stoakes' PATCH 02/11): what was there is gone, nothing moved.
            shadow.forget(mm, newAddr, newAddr + nl);
            shadow.prune(mm);
        }
        after();
        return r;
    }

    @Override
    public long madvise(Task t, long addr, long len, int advice) {
        if (advice != Mman.MADV_REMOVE) {
            keepsLocked("madvise"); // MADV_REMOVE punches a hole in the file: every mapping of it loses the pages
        }
        ReferenceLayout pre = judging(t);
        long r = k.madvise(t, addr, len, advice);
        if (pre != null) {
            judge(String.format("madvise(0x%x, %d, %d)", addr, len, advice), t, pre,
                    ReferenceRules.madvise(pre, addr, len, advice), r);
        }
        if (advice == Mman.MADV_REMOVE && (addr & ~Machine.PAGE_MASK) == 0 && addr + PageTable.pageAlign(len) > addr) {
            // madvise_remove() vma by vma, in order, until one refuses (locked, nonlinear (2.6.16)
            // or not a file: EINVAL; not shared and writable: EACCES); holes between vmas are skipped.
            Mm mm = t.mm();
            long end = addr + PageTable.pageAlign(len);
            for (int i = 0; i < mm.mapCount(); i++) {
                Vma v = mm.vma(i);
                if (v.end() <= addr || v.start() >= end) {
                    continue;
                }
                if ((v.flags() & Vma.VM_LOCKED) != 0 || v.isNonlinear() || v.file() == null
                        || (v.flags() & (Vma.VM_SHARED | Vma.VM_MAYWRITE)) != (Vma.VM_SHARED | Vma.VM_MAYWRITE)) {
                    break;
                }
                shadow.punchHole(v.file(), v.linearPageIndex(Math.max(addr, v.start())),
                        v.linearPageIndex(Math.min(end, v.end())));
            }
        }
        if (advice == Mman.MADV_DONTNEED) {
            // Whatever the result, pages of private vmas whose pte is gone now read zero.
            Mm mm = t.mm();
            long end = addr + PageTable.pageAlign(len);
            for (long a = addr & Machine.PAGE_MASK; a < end && a >= 0; a += Machine.PAGE_SIZE) {
                Vma v = mm.vmaLookup(a);
                if (v == null || (v.flags() & Vma.VM_SHARED) != 0) {
                    continue;
                }
                long slot = PageTable.lookup(k.frames(), mm.pgd(), a);
                if (slot < 0 || PageTable.get(k.frames(), slot) == 0) {
                    shadow.forgetPage(mm, a);
                }
            }
        }
        after();
        return r;
    }

    @Override
    public long mlock(Task t, long addr, long len) {
        keepsLocked("mlock");
        ReferenceLayout pre = judging(t);
        long r = k.mlock(t, addr, len);
        if (pre != null) {
            judge(String.format("mlock(0x%x, %d)", addr, len), t, pre, ReferenceRules.mlock(pre, addr, len, true), r);
        }
        learnCopies(t.mm(), addr, addr + PageTable.pageAlign(len));
        if (r == 0 && policy == CheckPolicy.EVERY) {
            long start = addr & Machine.PAGE_MASK;
            residency.afterMlock(t.mm(), start, start + PageTable.pageAlign(len + PageTable.offsetOf(addr)));
        }
        after();
        return r;
    }

    /**
     * Calls that populate with write faults (MAP_POPULATE / MAP_LOCKED, mlock, mprotect making a
     * locked vma writable, mremap growing a locked one: populate_vma_page_range with FOLL_WRITE in
     * private writable vmas) copy the pages of private file mappings as the file holds them at
     * that moment, with no store the shadow could see. It learns of each copy from the ptes of
     * [start, end): an anonymous page (or, after reclaim in the same call, a swap entry) in a
     * private file vma where it remembers no private value; the value is its own (the file's).
     */
    private void learnCopies(Mm mm, long start, long end) {
        if (mm == null || start < 0 || end <= start) {
            return;
        }
        for (int i = 0; i < mm.mapCount(); i++) {
            Vma v = mm.vma(i);
            if (v.end() <= start || v.start() >= end || v.file() == null || (v.flags() & Vma.VM_SHARED) != 0) {
                continue;
            }
            long sizePages = v.file().sizePages();
            for (long a = Math.max(start, v.start()) & Machine.PAGE_MASK; a < Math.min(end, v.end()); a += Machine.PAGE_SIZE) {
                if (v.linearPageIndex(a) >= sizePages) {
                    break;
                }
                if (shadow.hasPrivate(mm, a)) {
                    continue;
                }
                long slot = PageTable.lookup(k.frames(), mm.pgd(), a);
                long pte = slot < 0 ? 0 : PageTable.get(k.frames(), slot);
                if (PageTable.isSwap(pte) || (PageTable.present(pte) && (pte & PageTable.SPECIAL) == 0
                        && (k.frames().flags[PageTable.ptePfn(pte)] & org.rmaplab.mm.Frames.PG_ANON) != 0)) {
                    shadow.copiedFromFile(mm, v, a);
                }
            }
        }
    }

    @Override
    public long munlock(Task t, long addr, long len) {
        keepsLocked("munlock");
        ReferenceLayout pre = judging(t);
        long r = k.munlock(t, addr, len);
        if (pre != null) {
            judge(String.format("munlock(0x%x, %d)", addr, len), t, pre, ReferenceRules.mlock(pre, addr, len, false), r);
        }
        after();
        return r;
    }

    @Override
    public long brk(Task t, long addr) {
        ReferenceLayout pre = judging(t);
        long origBrk = pre == null ? 0 : t.mm().brk();
        long startBrk = pre == null ? 0 : t.mm().startBrk();
        long r = k.brk(t, addr);
        if (pre != null) {
            judge(String.format("brk(0x%x)", addr), t, pre, ReferenceRules.brk(pre, addr, origBrk, startBrk), r);
        }
        shadow.prune(t.mm());
        after();
        return r;
    }

    @Override
    public Task fork(Task t) {
        keepsLocked("fork");
        Mm parent = t.mm();
        List<Long> notCopied = new ArrayList<>();
        for (int i = 0; i < parent.mapCount(); i++) {
            Vma v = parent.vma(i);
            if ((v.flags() & Vma.VM_DONTCOPY) != 0) {
                notCopied.add(v.start());
                notCopied.add(v.end());
            }
        }
        Task c = k.fork(t);
        if (c != null) {
            long[] nc = new long[notCopied.size()];
            for (int i = 0; i < nc.length; i++) {
                nc[i] = notCopied.get(i);
            }
            shadow.fork(parent, c.mm(), nc);
        }
        after();
        return c;
    }

    @Override
    public Task clone(Task t) {
        keepsLocked("clone");
        Task c = k.clone(t);
        after();
        return c;
    }

    @Override
    public long exec(Task t) {
        long r = k.exec(t);
        shadow.retain(k.mms());
        after();
        return r;
    }

    @Override
    public long exit(Task t) {
        long r = k.exit(t);
        shadow.retain(k.mms());
        after();
        return r;
    }

    @Override
    public long uffdRegister(Task t, long addr, long len) {
        keepsLocked("uffd_register");
        long r = k.uffdRegister(t, addr, len);
        after();
        return r;
    }

    @Override
    public long uffdMove(Task t, long dst, long src, long len, int mode) {
        Userfaultfd.MoveResult res = k.uffdMoveFull(t, new Userfaultfd.UffdioMove(dst, src, len, mode));
        long r = res.ret();
        long moved = res.moved();
        if (moved > 0) {
            shadow.movePages(t.mm(), src, dst, moved);
        }
        after();
        return r;
    }

    @Override
    public long uffdCopy(Task t, long dst, long src, long len, int mode) {
        keepsLocked("uffd_copy");
        Userfaultfd.CopyResult res = k.uffdCopyFull(t, new Userfaultfd.UffdioCopy(dst, src, len, mode));
        long r = res.ret();
        long copied = res.copied();
        if (copied > 0 && t.isAlive()) {
            // Page by page in the kernel's order, so that an overlapping copy reads what it wrote.
            for (long off = 0; off < copied; off += Machine.PAGE_SIZE) {
                shadow.copyPage(t.mm(), src + off, dst + off);
            }
        }
        after();
        return r;
    }

    @Override
    public long remapAnonPages(Task t, long dst, long src, long len, int flags) {
        long r = k.remapAnonPages(t, dst, src, len, flags);
        if (r > 0) {
            shadow.movePages(t.mm(), src, dst, r);
        }
        after();
        return r;
    }

    @Override
    public int write(Task t, long addr, long len, long value) {
        return store(t, addr, len, value, false);
    }

    @Override
    public int add(Task t, long addr, long len, long value) {
        return store(t, addr, len, value, true);
    }

    /**
     * write and add, page by page. A write leaves VALUE in the shadow; an add, the shadow's value
     * before the access (under the vma the access leaves, as for a write below a stack) plus VALUE.
     */
    private int store(Task t, long addr, long len, long value, boolean add) {
        keepsLocked(add ? "add" : "write");
        long first = addr & Machine.PAGE_MASK;
        long end = len == 0 ? first + Machine.PAGE_SIZE : addr + len;
        int r = ACCESS_OK;
        for (long a = first; a < end; a += Machine.PAGE_SIZE) {
            r = add ? k.add(t, a, Machine.PAGE_SIZE, value) : k.write(t, a, Machine.PAGE_SIZE, value);
            if (r != ACCESS_OK) {
                break;
            }
            Vma v = t.mm().vmaLookup(a); // after the access: a write below a stack grew it to a
            shadow.wrote(t.mm(), v, a, add ? shadow.expected(t.mm(), v, a) + value : value);
        }
        after();
        return r;
    }

    @Override
    public int touch(Task t, long addr, long len) {
        keepsLocked("touch");
        int r = k.touch(t, addr, len);
        after();
        return r;
    }

    @Override
    public int read(Task t, long addr, long len, ReadResult out) {
        keepsLocked("read");
        long first = addr & Machine.PAGE_MASK;
        long end = len == 0 ? first + Machine.PAGE_SIZE : addr + len;
        boolean have = false;
        out.mixed = false;
        out.value = 0;
        int r = ACCESS_OK;
        for (long a = first; a < end; a += Machine.PAGE_SIZE) {
            r = k.read(t, a, Machine.PAGE_SIZE, one);
            if (r != ACCESS_OK) {
                break;
            }
            Vma v = t.mm().vmaLookup(a);
            long want = shadow.expected(t.mm(), v, a);
            if (one.value != want) {
                throw new InvariantViolation(t + " read 0x" + Long.toHexString(one.value) + " at 0x"
                        + Long.toHexString(a) + " but 0x" + Long.toHexString(want) + " was last written there");
            }
            if (!have) {
                out.value = one.value;
                have = true;
            } else if (one.value != out.value) {
                out.mixed = true;
            }
        }
        after();
        return r;
    }

    @Override
    public long reclaim(long count) {
        keepsLocked("reclaim");
        long r = k.reclaim(count);
        after();
        return r;
    }

    @Override
    public VmaInfo vmaAt(Task t, long addr) {
        return k.vmaAt(t, addr);
    }

    @Override
    public int vmasIn(Task t, long addr, long len) {
        return k.vmasIn(t, addr, len);
    }

    @Override
    public java.util.List<String> maps(Task t) {
        return k.maps(t);
    }
}

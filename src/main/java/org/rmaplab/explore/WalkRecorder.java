package org.rmaplab.explore;

import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.ReclaimEra;
import org.rmaplab.mm.RmapStats;
import org.rmaplab.mm.RmapWalkControl;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;

/**
 * Records one replayed reverse walk: the vmas (anonmm: mms) it visits and the ptes it checks, in
 * order, through {@link RmapStats.WalkObserver}; and, as the walk's control, each pte found, done
 * once mapcount ptes were found (the oracle's WalkCollector, page_referenced()'s
 * {@code if (!mapcount) break}). Changes nothing: no pte is cleared.
 */
final class WalkRecorder implements RmapWalkControl, RmapStats.WalkObserver {
    final Recorder.Walk walk = new Recorder.Walk();
    private final Machine k;
    private final int mapcount;
    int found;
    private boolean named;
    private int keyPid;
    private long keyAddress;

    /** page_referenced()'s era, whose VM_LOCKED breaks the replay applies; null for try_to_unmap's. */
    private final ReclaimEra era;
    /** The walk ended at a VM_LOCKED vma (page_referenced's early break). */
    boolean locked;

    WalkRecorder(Machine k, int pfn, ReclaimEra era) {
        this.k = k;
        this.mapcount = k.frames().mapcount[pfn];
        this.era = era;
    }

    /**
     * page_referenced_file()'s locked shared vma (2.6.6-mm to 2.6.27, e.g. 2.6.11: {@code if
     * ((vma->vm_flags & (VM_LOCKED|VM_MAYSHARE)) == (VM_LOCKED|VM_MAYSHARE)) { referenced++;
     * break; }}), before its pte is looked at: the walk ends there, as the model's Rmap's does.
     */
    @Override
    public boolean stopAtVma(Vma vma) {
        if (era != null && era.lockedSharedVmaReferenced()
                && (vma.flags() & (Vma.VM_LOCKED | Vma.VM_MAYSHARE)) == (Vma.VM_LOCKED | Vma.VM_MAYSHARE)) {
            locked = true;
        }
        return locked;
    }

    @Override
    public void vmaVisited(Mm mm, Vma vma) {
        walk.events.add(new Recorder.WalkEvent("vma", vma == null ? "mm of pid " + pid(mm)
                : "pid " + pid(mm) + " " + range(vma)));
    }

    @Override
    public void pteChecked(Mm mm, long address, long slot) {
        walk.events.add(new Recorder.WalkEvent(slot < 0 ? "miss" : "pte",
                "pid " + pid(mm) + " @" + Long.toHexString(address) + (slot < 0 ? ": does not map the page" : "")));
    }

    @Override
    public boolean visit(Vma vma, long address, long ptep) {
        name(vma, address);
        found++;
        walk.events.add(new Recorder.WalkEvent("found", "pid " + pid(vma.mm) + " @" + Long.toHexString(address)));
        if (era != null && era.lockedPteEndsReferenced() && (vma.flags() & Vma.VM_LOCKED) != 0) {
            locked = true; // 6.18 folio_referenced_one: "return false; /* To break the loop */"
            return true;
        }
        return found > 4 * mapcount + 64; // a walk that runs away is stopped (the oracle reports it)
    }

    @Override
    public boolean done() {
        return found >= mapcount;
    }

    /**
     * The page's name, the same under every design whatever order its walk takes and whatever
     * the walk can see: the pte of the lowest pid, at the lowest address, of those it is told of.
     */
    private void name(Vma vma, long address) {
        int pid = pid(vma.mm);
        if (!named || pid < keyPid || (pid == keyPid && Long.compareUnsigned(address, keyAddress) < 0)) {
            named = true;
            keyPid = pid;
            keyAddress = address;
            walk.key = pid + "@" + Long.toHexString(address);
        }
    }

    /**
     * A control that only names the page by the ptes it is handed, recording no event and finding
     * nothing: for the ptes of nonlinear vmas, which page_referenced()'s walk does not see (2.6.11
     * page_referenced_file() walks the prio_tree only; i_mmap_nonlinear is read by
     * try_to_unmap_file()'s cluster scan alone), so that a page is named as under pte_chains,
     * whose chain holds them.
     */
    RmapWalkControl namer() {
        return namer;
    }

    private final RmapWalkControl namer = new RmapWalkControl() {
        @Override
        public boolean visit(Vma vma, long address, long ptep) {
            name(vma, address);
            return false;
        }

        @Override
        public boolean done() {
            return false;
        }
    };

    private static String range(Vma v) {
        return Long.toHexString(v.start()) + "-" + Long.toHexString(v.end()) + " " + v.perms() + " pgoff "
                + Long.toHexString(v.pgoff());
    }

    /** The lowest pid of a live task using MM (threads share one), or -1. */
    private int pid(Mm mm) {
        int p = -1;
        for (Task t : k.tasks()) {
            if (t.mm() == mm && t.isAlive() && (p < 0 || t.pid() < p)) {
                p = t.pid();
            }
        }
        return p;
    }
}

package org.rmaplab.check;

import org.rmaplab.mm.DesignTraits;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.RmapHost;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.Vma;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.mm.RmapStats;
import org.rmaplab.mm.RmapWalkControl;

/**
 * Forwards every call, default hooks included, to another design; tests override one method to
 * break it. ForwardingDesignTest checks that every method of RmapDesign is overridden here, so a
 * new default hook cannot silently fall back to its default under a wrapped variant. Public so that tests of other packages can extend it (org.rmaplab.mm.FailingDesign).
 */
public class ForwardingDesign implements RmapDesign {
    final RmapDesign d;

    public ForwardingDesign(RmapDesign d) {
        this.d = d;
    }

    @Override
    public DesignTraits traits() {
        return d.traits();
    }

    @Override
    public String name() {
        return d.name();
    }

    @Override
    public void attach(RmapHost host) {
        d.attach(host);
    }

    @Override
    public int anonVmaPrepare(Vma vma) {
        return d.anonVmaPrepare(vma);
    }

    @Override
    public int vmaFork(Vma src, Vma dst) {
        return d.vmaFork(src, dst);
    }

    @Override
    public int vmaSplit(Vma orig, Vma piece) {
        return d.vmaSplit(orig, piece);
    }

    @Override
    public int vmaCopy(Vma src, Vma dst) {
        return d.vmaCopy(src, dst);
    }

    @Override
    public boolean isMergeableAnonVma(Vma tgt, Object srcAnon, Vma src) {
        return d.isMergeableAnonVma(tgt, srcAnon, src);
    }

    @Override
    public boolean isMergeableAnonVma(Vma tgt, Object srcAnon, Vma src, Vma copiedFrom) {
        return d.isMergeableAnonVma(tgt, srcAnon, src, copiedFrom);
    }

    @Override
    public boolean anonVmasCompatible(Vma prev, Vma next) {
        return d.anonVmasCompatible(prev, next);
    }

    @Override
    public int vmaMerged(Vma survivor, Vma removed) {
        return d.vmaMerged(survivor, removed);
    }

    @Override
    public void vmaAdjusted(Vma vma, long oldStart, long oldEnd, long oldPgoff) {
        d.vmaAdjusted(vma, oldStart, oldEnd, oldPgoff);
    }

    @Override
    public void vmaUnlinked(Vma vma) {
        d.vmaUnlinked(vma);
    }

    @Override
    public void pageAddNewAnon(int pfn, Vma vma, long address, long ptep) {
        d.pageAddNewAnon(pfn, vma, address, ptep);
    }

    @Override
    public void pageReuseAnon(int pfn, Vma vma, long address) {
        d.pageReuseAnon(pfn, vma, address);
    }

    @Override
    public void rmapWalk(int pfn, RmapWalkControl ctl) {
        d.rmapWalk(pfn, ctl);
    }

    @Override
    public RmapStats stats() {
        return d.stats();
    }

    @Override
    public void mmInit(Mm mm) {
        d.mmInit(mm);
    }

    @Override
    public void mmFork(Mm parent, Mm child) {
        d.mmFork(parent, child);
    }

    @Override
    public void mmExit(Mm mm) {
        d.mmExit(mm);
    }

    @Override
    public int vmaSplitForUnmap(Vma orig, Vma piece) {
        return d.vmaSplitForUnmap(orig, piece);
    }

    @Override
    public long anonPgoff(Mm mm, long start, long end, long vmFlags, int why, long regionStart) {
        return d.anonPgoff(mm, start, end, vmFlags, why, regionStart);
    }

    @Override
    public boolean canExpandAnon(Vma vma, long delta) {
        return d.canExpandAnon(vma, delta);
    }

    @Override
    public boolean canExpandAnonDown(Vma vma, long grow) {
        return d.canExpandAnonDown(vma, grow);
    }

    @Override
    public boolean canGrowMovedAnon(Vma vma, long addr, long len, long delta) {
        return d.canGrowMovedAnon(vma, addr, len, delta);
    }

    @Override
    public void vmaLinked(Vma vma) {
        d.vmaLinked(vma);
    }

    @Override
    public void vmaAnonReset(Vma vma) {
        d.vmaAnonReset(vma);
    }

    @Override
    public void pageAddFileRmap(int pfn, Vma vma, long address, long ptep) {
        d.pageAddFileRmap(pfn, vma, address, ptep);
    }

    @Override
    public void pageDupRmap(int pfn, Vma dstVma, long address, long dstPtep) {
        d.pageDupRmap(pfn, dstVma, address, dstPtep);
    }

    @Override
    public void pageRemoveRmap(int pfn, Vma vma, long address, long ptep) {
        d.pageRemoveRmap(pfn, vma, address, ptep);
    }

    @Override
    public void pageFreed(int pfn) {
        d.pageFreed(pfn);
    }

    @Override
    public void pageAddAnonRmap(int pfn, Vma vma, long address, long ptep) {
        d.pageAddAnonRmap(pfn, vma, address, ptep);
    }

    @Override
    public void pageAddSwapinAnon(int pfn, Vma vma, long address, long ptep, boolean exclusive) {
        d.pageAddSwapinAnon(pfn, vma, address, ptep, exclusive);
    }

    @Override
    public boolean swapinMustCopy(int pfn, Vma vma, long address) {
        return d.swapinMustCopy(pfn, vma, address);
    }

    @Override
    public boolean relocatesAnon() {
        return d.relocatesAnon();
    }

    @Override
    public boolean vmaMaybeHasSharedAnonFolios(Vma vma) {
        return d.vmaMaybeHasSharedAnonFolios(vma);
    }

    @Override
    public boolean adjustsFaultedPgoff() {
        return d.adjustsFaultedPgoff();
    }

    @Override
    public boolean anonVmaUnshared(Object anonVma) {
        return d.anonVmaUnshared(anonVma);
    }

    @Override
    public boolean countsMergeFailures() {
        return d.countsMergeFailures();
    }

    @Override
    public void pageRelocateAnon(Frames frames, int pfn, Vma newVma, long newAddr) {
        d.pageRelocateAnon(frames, pfn, newVma, newAddr);
    }

    @Override
    public void afterPageReferenced(int pfn) {
        d.afterPageReferenced(pfn);
    }

    @Override
    public void pageReferencedWalk(int pfn, RmapWalkControl ctl) {
        d.pageReferencedWalk(pfn, ctl);
    }

    @Override
    public boolean mremapMustCow(int pfn) {
        return d.mremapMustCow(pfn);
    }

    @Override
    public void ptemoved(int pfn, Vma oldVma, long oldAddress, long oldPtep, Vma newVma, long newAddress, long newPtep) {
        d.ptemoved(pfn, oldVma, oldAddress, oldPtep, newVma, newAddress, newPtep);
    }

    @Override
    public int pageMoveAnon(Frames frames, int pfn, Vma srcVma, long srcAddr, long srcPtep,
            Vma dstVma, long dstAddr, long dstPtep) {
        return d.pageMoveAnon(frames, pfn, srcVma, srcAddr, srcPtep, dstVma, dstAddr, dstPtep);
    }

    @Override
    public void vmaLockChanged(Vma vma, long start, long end) {
        d.vmaLockChanged(vma, start, end);
    }

}

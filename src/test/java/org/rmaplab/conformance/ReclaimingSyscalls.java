package org.rmaplab.conformance;

import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;

/**
 * Memory pressure after every call: forwards each call, then evicts everything that can be
 * evicted ({@code reclaim all}), so every scenario runs with its pages constantly on swap.
 */
final class ReclaimingSyscalls implements Syscalls {
    private final Syscalls s;

    ReclaimingSyscalls(Syscalls s) {
        this.s = s;
    }

    @Override
    public Task initTask() {
        return s.initTask();
    }

    @Override
    public long mmap(Task t, long addr, long len, int prot, int flags, long file, long off) {
        long r = s.mmap(t, addr, len, prot, flags, file, off);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long open(Task t, String name, long size) {
        long r = s.open(t, name, size);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long ftruncate(Task t, long file, long size) {
        long r = s.ftruncate(t, file, size);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long remapFilePages(Task t, long start, long size, int prot, long pgoff, int flags) {
        long r = s.remapFilePages(t, start, size, prot, pgoff, flags);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long munmap(Task t, long addr, long len) {
        long r = s.munmap(t, addr, len);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long mprotect(Task t, long addr, long len, int prot) {
        long r = s.mprotect(t, addr, len, prot);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long mremap(Task t, long oldAddr, long oldLen, long newLen, int flags, long newAddr) {
        long r = s.mremap(t, oldAddr, oldLen, newLen, flags, newAddr);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long madvise(Task t, long addr, long len, int advice) {
        long r = s.madvise(t, addr, len, advice);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long mlock(Task t, long addr, long len) {
        long r = s.mlock(t, addr, len);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long munlock(Task t, long addr, long len) {
        long r = s.munlock(t, addr, len);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long brk(Task t, long addr) {
        long r = s.brk(t, addr);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public Task fork(Task t) {
        Task r = s.fork(t);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public Task clone(Task t) {
        Task r = s.clone(t);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long exec(Task t) {
        long r = s.exec(t);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long exit(Task t) {
        long r = s.exit(t);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public int write(Task t, long addr, long len, long value) {
        int r = s.write(t, addr, len, value);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public int add(Task t, long addr, long len, long value) {
        int r = s.add(t, addr, len, value);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public int touch(Task t, long addr, long len) {
        int r = s.touch(t, addr, len);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public int read(Task t, long addr, long len, ReadResult out) {
        int r = s.read(t, addr, len, out);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long reclaim(long count) {
        return s.reclaim(count);
    }

    @Override
    public void checkNow() {
        s.checkNow();
    }

    @Override
    public VmaInfo vmaAt(Task t, long addr) {
        return s.vmaAt(t, addr);
    }

    @Override
    public int vmasIn(Task t, long addr, long len) {
        return s.vmasIn(t, addr, len);
    }

    @Override
    public java.util.List<String> maps(Task t) {
        return s.maps(t);
    }

    @Override
    public long uffdRegister(Task t, long addr, long len) {
        long r = s.uffdRegister(t, addr, len);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long uffdMove(Task t, long dst, long src, long len, int mode) {
        long r = s.uffdMove(t, dst, src, len, mode);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long uffdCopy(Task t, long dst, long src, long len, int mode) {
        long r = s.uffdCopy(t, dst, src, len, mode);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }

    @Override
    public long remapAnonPages(Task t, long dst, long src, long len, int flags) {
        long r = s.remapAnonPages(t, dst, src, len, flags);
        s.reclaim(Long.MAX_VALUE);
        return r;
    }
}

package org.rmaplab.scenario;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.rmaplab.check.InvariantViolation;
import org.rmaplab.mm.Errno;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;

/**
 * A small in-memory stand-in for the kernel, enough to test the scenario runner: vmas with
 * split/merge of equal neighbours, one value per page, fork copies (eager COW), clone shares,
 * top-down mmap placement below {@link #TOP}. Not a model of Linux: no file pages, no rmap.
 * Writing {@link #POISON} raises an InvariantViolation (to test how the runner reports one).
 */
public class FakeSyscalls implements Syscalls {
    public static final long PAGE = 4096;
    public static final long TOP = 0x7f0000000000L;
    public static final long BRK_START = 0x555555559000L;
    public static final long POISON = 0xDEADL;

    /** Every call, as "op" strings, for tests that look at what the runner did. */
    public final List<String> calls = new ArrayList<>();
    public int checks;

    private static final class Vma {
        long start, end;
        int prot, flags;

        Vma(long start, long end, int prot, int flags) {
            this.start = start;
            this.end = end;
            this.prot = prot;
            this.flags = flags;
        }

        Vma copy() {
            return new Vma(start, end, prot, flags);
        }
    }

    private static final class Space {
        final TreeMap<Long, Vma> vmas = new TreeMap<>();
        final Map<Long, Long> pages = new HashMap<>();
        long brk = BRK_START;

        Space copy() {
            Space s = new Space();
            vmas.values().forEach(v -> s.vmas.put(v.start, v.copy()));
            s.pages.putAll(pages);
            s.brk = brk;
            return s;
        }
    }

    private final Map<Task, Space> spaces = new IdentityHashMap<>();
    private int nextPid = 1;

    private static final Constructor<Task> TASK;
    static {
        try {
            TASK = Task.class.getDeclaredConstructor(int.class, Mm.class);
            TASK.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Task newTask(Space s) {
        try {
            Task t = TASK.newInstance(nextPid++, null);
            spaces.put(t, s);
            return t;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private Space space(Task t) {
        Space s = spaces.get(t);
        if (s == null) {
            throw new IllegalStateException("fake: " + t + " is not a live task");
        }
        return s;
    }

    private static long roundUp(long len) {
        return (len + PAGE - 1) & -PAGE;
    }

    private static boolean aligned(long a) {
        return (a & (PAGE - 1)) == 0;
    }

    @Override
    public Task initTask() {
        calls.add("initTask");
        return newTask(new Space());
    }

    // ---------------------------------------------------------------- vma helpers

    private static Vma find(Space s, long addr) {
        Map.Entry<Long, Vma> e = s.vmas.floorEntry(addr);
        return e != null && addr < e.getValue().end ? e.getValue() : null;
    }

    private static void splitAt(Space s, long addr) {
        Vma v = find(s, addr);
        if (v != null && v.start < addr) {
            Vma tail = new Vma(addr, v.end, v.prot, v.flags);
            v.end = addr;
            s.vmas.put(addr, tail);
        }
    }

    private static void unmap(Space s, long start, long end) {
        splitAt(s, start);
        splitAt(s, end);
        s.vmas.subMap(start, end).clear();
        s.pages.keySet().removeIf(a -> a >= start && a < end);
    }

    private static boolean mapped(Space s, long start, long end) {
        for (long a = start; a < end; ) {
            Vma v = find(s, a);
            if (v == null) {
                return false;
            }
            a = v.end;
        }
        return true;
    }

    private static boolean free(Space s, long start, long end) {
        Map.Entry<Long, Vma> e = s.vmas.lowerEntry(end);
        return e == null || e.getValue().end <= start;
    }

    private static void merge(Space s) {
        Vma prev = null;
        for (Vma v : new ArrayList<>(s.vmas.values())) {
            if (prev != null && prev.end == v.start && prev.prot == v.prot && prev.flags == v.flags) {
                prev.end = v.end;
                s.vmas.remove(v.start);
            } else {
                prev = v;
            }
        }
    }

    private static long place(Space s, long len) {
        long end = TOP;
        for (Vma v : s.vmas.descendingMap().values()) {
            if (v.start >= end) {
                continue;
            }
            if (v.end <= end - len) {
                break;
            }
            end = v.start;
        }
        return end - len;
    }

    // ---------------------------------------------------------------- syscalls

    @Override
    public long open(Task t, String name, long size) {
        calls.add("open " + name + " " + size);
        return 7; // a file number; the fake has no files behind it
    }

    @Override
    public long ftruncate(Task t, long file, long size) {
        calls.add("ftruncate " + file + " " + size);
        return -Errno.ENOSYS;
    }

    @Override
    public long remapFilePages(Task t, long start, long size, int prot, long pgoff, int flags) {
        calls.add("remap_file_pages " + start + " " + size + " " + prot + " " + pgoff + " " + flags);
        return -Errno.ENOSYS;
    }

    @Override
    public long mmap(Task t, long addr, long len, int prot, int flags, long file, long off) {
        calls.add(file < 0 ? "mmap" : "mmap file " + file + " off " + off);
        if (file >= 0) {
            return -Errno.ENOSYS;
        }
        Space s = space(t);
        int type = flags & Mman.MAP_TYPE;
        if (len == 0 || (type != Mman.MAP_PRIVATE && type != Mman.MAP_SHARED) || (flags & Mman.MAP_ANONYMOUS) == 0) {
            return -Errno.EINVAL;
        }
        len = roundUp(len);
        boolean fixed = (flags & (Mman.MAP_FIXED | Mman.MAP_FIXED_NOREPLACE)) != 0;
        if (fixed && !aligned(addr)) {
            return -Errno.EINVAL;
        }
        if ((flags & Mman.MAP_FIXED_NOREPLACE) != 0 && !free(s, addr, addr + len)) {
            return -Errno.EEXIST;
        }
        if ((flags & Mman.MAP_FIXED) != 0) {
            unmap(s, addr, addr + len);
        } else if (!fixed) {
            addr = addr != 0 && aligned(addr) && free(s, addr, addr + len) ? addr : place(s, len);
        }
        s.vmas.put(addr, new Vma(addr, addr + len, prot, flags & (Mman.MAP_TYPE | Mman.MAP_ANONYMOUS)));
        merge(s);
        return addr;
    }

    @Override
    public long munmap(Task t, long addr, long len) {
        calls.add("munmap");
        if (!aligned(addr) || len == 0) {
            return -Errno.EINVAL;
        }
        unmap(space(t), addr, addr + roundUp(len));
        return 0;
    }

    @Override
    public long mprotect(Task t, long addr, long len, int prot) {
        calls.add("mprotect");
        Space s = space(t);
        long end = addr + roundUp(len);
        if (!aligned(addr)) {
            return -Errno.EINVAL;
        }
        if (!mapped(s, addr, end)) {
            return -Errno.ENOMEM;
        }
        splitAt(s, addr);
        splitAt(s, end);
        s.vmas.subMap(addr, end).values().forEach(v -> v.prot = prot);
        merge(s);
        return 0;
    }

    @Override
    public long mremap(Task t, long old, long oldLen, long newLen, int flags, long newAddr) {
        calls.add("mremap");
        Space s = space(t);
        oldLen = roundUp(oldLen);
        newLen = roundUp(newLen);
        if (!aligned(old) || newLen == 0 || (flags & ~7) != 0) {
            return -Errno.EINVAL;
        }
        boolean mayMove = (flags & Mman.MREMAP_MAYMOVE) != 0;
        boolean fixed = (flags & Mman.MREMAP_FIXED) != 0;
        if (fixed && (!mayMove || !aligned(newAddr))) {
            return -Errno.EINVAL;
        }
        Vma v = find(s, old);
        if (v == null) {
            return -Errno.EFAULT;
        }
        if (old + oldLen > v.end) {
            return -Errno.EFAULT;
        }
        if (!fixed && newLen <= oldLen) {
            unmap(s, old + newLen, old + oldLen);
            return old;
        }
        if (!fixed && old + oldLen == v.end && free(s, v.end, old + newLen)) {
            v.end = old + newLen;
            merge(s);
            return old;
        }
        if (!mayMove) {
            return -Errno.ENOMEM;
        }
        long dst = fixed ? newAddr : place(s, newLen);
        if (fixed) {
            unmap(s, dst, dst + newLen);
        }
        Map<Long, Long> moved = new HashMap<>();
        long keep = Math.min(oldLen, newLen);
        s.pages.forEach((a, val) -> {
            if (a >= old && a < old + keep) {
                moved.put(dst + (a - old), val);
            }
        });
        int prot = v.prot;
        int vflags = v.flags;
        unmap(s, old, old + oldLen);
        s.pages.putAll(moved);
        s.vmas.put(dst, new Vma(dst, dst + newLen, prot, vflags));
        merge(s);
        return dst;
    }

    @Override
    public long madvise(Task t, long addr, long len, int advice) {
        calls.add("madvise");
        Space s = space(t);
        long end = addr + roundUp(len);
        if (!mapped(s, addr, end)) {
            return -Errno.ENOMEM;
        }
        if (advice == Mman.MADV_DONTNEED) {
            s.pages.keySet().removeIf(a -> a >= addr && a < end);
        }
        return 0;
    }

    @Override
    public long mlock(Task t, long addr, long len) {
        calls.add("mlock");
        return mapped(space(t), addr, addr + roundUp(len)) ? 0 : -Errno.ENOMEM;
    }

    @Override
    public long munlock(Task t, long addr, long len) {
        calls.add("munlock");
        return mapped(space(t), addr, addr + roundUp(len)) ? 0 : -Errno.ENOMEM;
    }

    @Override
    public long brk(Task t, long addr) {
        calls.add("brk");
        Space s = space(t);
        if (addr >= BRK_START) {
            s.brk = addr;
        }
        return s.brk;
    }

    @Override
    public Task fork(Task t) {
        calls.add("fork");
        return newTask(space(t).copy());
    }

    @Override
    public Task clone(Task t) {
        calls.add("clone");
        return newTask(space(t));
    }

    @Override
    public long exec(Task t) {
        calls.add("exec");
        space(t);
        spaces.put(t, new Space());
        return 0;
    }

    @Override
    public long exit(Task t) {
        calls.add("exit");
        space(t);
        spaces.remove(t);
        return 0;
    }

    private static int access(Space s, long addr, int need) {
        Vma v = find(s, addr);
        return v == null || (v.prot & need) != need ? ACCESS_SEGV : ACCESS_OK;
    }

    @Override
    public int write(Task t, long addr, long len, long value) {
        calls.add("write");
        if (value == POISON) {
            throw new InvariantViolation("poisoned value written at 0x" + Long.toHexString(addr));
        }
        Space s = space(t);
        long first = addr & -PAGE;
        long end = len == 0 ? first + PAGE : addr + len;
        for (long a = first; a < end; a += PAGE) {
            int r = access(s, a, Mman.PROT_WRITE);
            if (r != ACCESS_OK) {
                return r;
            }
            s.pages.put(a, value);
        }
        return ACCESS_OK;
    }

    @Override
    public int touch(Task t, long addr, long len) {
        calls.add("touch");
        Space s = space(t);
        long first = addr & -PAGE;
        long end = len == 0 ? first + PAGE : addr + len;
        for (long a = first; a < end; a += PAGE) {
            int r = access(s, a, Mman.PROT_READ);
            if (r != ACCESS_OK) {
                return r;
            }
        }
        return ACCESS_OK;
    }

    @Override
    public int read(Task t, long addr, long len, ReadResult out) {
        calls.add("read");
        Space s = space(t);
        long first = addr & -PAGE;
        long end = len == 0 ? first + PAGE : addr + len;
        boolean seen = false;
        out.mixed = false;
        for (long a = first; a < end; a += PAGE) {
            int r = access(s, a, Mman.PROT_READ);
            if (r != ACCESS_OK) {
                return r;
            }
            long v = s.pages.getOrDefault(a, 0L);
            if (seen && v != out.value) {
                out.mixed = true;
            }
            out.value = v;
            seen = true;
        }
        return ACCESS_OK;
    }

    @Override
    public VmaInfo vmaAt(Task t, long addr) {
        calls.add("vmaAt");
        Vma v = find(space(t), addr);
        if (v == null) {
            return null;
        }
        String perms = ((v.prot & Mman.PROT_READ) != 0 ? "r" : "-")
                + ((v.prot & Mman.PROT_WRITE) != 0 ? "w" : "-")
                + ((v.prot & Mman.PROT_EXEC) != 0 ? "x" : "-")
                + ((v.flags & Mman.MAP_TYPE) == Mman.MAP_SHARED ? "s" : "p");
        return new VmaInfo(v.start, v.end, perms);
    }

    @Override
    public long reclaim(long count) {
        calls.add("reclaim");
        return 0;
    }

    @Override
    public int vmasIn(Task t, long addr, long len) {
        calls.add("vmasIn");
        Space s = space(t);
        long end = addr + len;
        int n = 0;
        for (Vma v : s.vmas.values()) {
            if (v.start < end && v.end > addr) {
                n++;
            }
        }
        return n;
    }

    /** One line per vma: {@code START-END PERMS}, hex without 0x (the fake has no offsets or names). */
    @Override
    public java.util.List<String> maps(Task t) {
        calls.add("maps");
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (Vma v : space(t).vmas.values()) {
            VmaInfo i = vmaAt(t, v.start);
            calls.remove(calls.size() - 1);
            lines.add(Long.toHexString(v.start) + "-" + Long.toHexString(v.end) + " " + i.perms());
        }
        return lines;
    }

    @Override
    public long uffdRegister(Task t, long addr, long len) {
        calls.add("uffdRegister");
        return 0;
    }

    @Override
    public long uffdMove(Task t, long dst, long src, long len, int mode) {
        calls.add("uffdMove");
        return len;
    }

    @Override
    public long uffdCopy(Task t, long dst, long src, long len, int mode) {
        calls.add("uffdCopy");
        return len;
    }

    @Override
    public long remapAnonPages(Task t, long dst, long src, long len, int flags) {
        calls.add("remapAnonPages");
        return len;
    }
}

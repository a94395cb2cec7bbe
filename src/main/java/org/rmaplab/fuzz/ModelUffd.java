package org.rmaplab.fuzz;

import static org.rmaplab.scenario.ScenarioText.hex;

import org.rmaplab.scenario.ScenarioText;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;

/**
 * The model profile's userfaultfd steps: uffd_register, uffd_move (with or without
 * allow_src_holes), uffd_copy (sometimes from an unaligned source) and remap_anon_pages, mostly
 * aimed at the vmas the task has now (a registered destination, a writable private source), else
 * anywhere in the window (errors). See docs/model.md, "Simplifications and what is not modelled yet", for what the model does with them.
 */
final class ModelUffd {
    private static final long P = Vocabulary.P;

    private final ModelProfile g;
    private final SplittableRandom rnd;
    private final int ti;
    private final Task t;

    private ModelUffd(ModelProfile g, int ti, Task t) {
        this.g = g;
        this.rnd = g.rnd();
        this.ti = ti;
        this.t = t;
    }

    /** One userfaultfd step of task TI (T). */
    static void step(ModelProfile g, int ti, Task t) {
        new ModelUffd(g, ti, t).step();
    }

    private void step() {
        int kind = rnd.nextInt(10);
        if (kind >= 8) {
            copy();
            return;
        }
        long a = g.randomAddr();
        long l = rnd.nextInt(4) == 0 ? g.randomLen() : (1 + rnd.nextInt(4)) * P;
        if (kind < 2) {
            Vma w = rnd.nextBoolean() ? pick(Vma.VM_WRITE) : null;
            if (w != null) {
                a = w.start() + rnd.nextInt((int) w.pages()) * P;
                l = Math.min(l, w.end() - a);
            }
            g.run(ti, "uffd_register " + hex(a) + " " + l);
            return;
        }
        long src = g.randomAddr();
        if (rnd.nextBoolean()) {
            // Aim: dst in a registered vma, src in a writable private one, a page or two.
            Vma d = pick(Vma.VM_UFFD_MISSING | Vma.VM_WRITE);
            Vma sv = d == null ? null : pick(d.flags() & (Vma.VM_ACCESS_FLAGS | Vma.VM_LOCKED));
            if (d != null && sv != null) {
                a = d.start() + rnd.nextInt((int) d.pages()) * P;
                src = sv.start() + rnd.nextInt((int) sv.pages()) * P;
                l = Math.min((1 + rnd.nextInt(2)) * P, Math.min(d.end() - a, sv.end() - src));
                if (rnd.nextBoolean()) {
                    g.run(ti, "write " + hex(src) + " " + l + " " + hex(rnd.nextLong(1, 1L << 32)));
                    if (!t.isAlive()) {
                        return; // the OOM killer ended the task during the write
                    }
                }
            }
        }
        if (kind < 7) {
            boolean holes = rnd.nextBoolean();
            g.run(ti, "uffd_move " + hex(a) + " " + hex(src) + " " + l + (holes ? " allow_src_holes" : ""));
        } else {
            g.run(ti, "remap_anon_pages " + hex(a) + " " + hex(src) + " " + l);
        }
    }

    /**
     * uffd_copy: mostly into a registered vma (private or shared; when t's mm has none, a vma is
     * registered first) from a page of any vma, sometimes from an unaligned source; else anywhere
     * (errors).
     */
    private void copy() {
        long a = g.randomAddr();
        long src = g.randomAddr();
        long l = (1 + rnd.nextInt(3)) * P;
        if (rnd.nextInt(4) != 0) {
            List<Vma> regs = registered();
            if (regs.isEmpty() && t.mm().mapCount() > 0) {
                Vma w = t.mm().vma(rnd.nextInt(t.mm().mapCount()));
                g.run(ti, "uffd_register " + hex(w.start()) + " " + (w.end() - w.start()));
                regs = registered();
            }
            if (!regs.isEmpty() && t.mm().mapCount() > 0) {
                Vma d = regs.get(rnd.nextInt(regs.size()));
                Vma sv = t.mm().vma(rnd.nextInt(t.mm().mapCount()));
                a = d.start() + rnd.nextInt((int) d.pages()) * P;
                src = sv.start() + rnd.nextInt((int) sv.pages()) * P;
                l = Math.min(l, d.end() - a);
                if (rnd.nextInt(4) == 0) {
                    src += rnd.nextBoolean() ? 1 + rnd.nextInt(8) : P - 1 - rnd.nextInt(8);
                }
            }
        }
        g.run(ti, "uffd_copy " + hex(a) + " " + hex(src) + " " + l);
    }

    private List<Vma> registered() {
        List<Vma> regs = new ArrayList<>();
        for (int i = 0; i < t.mm().mapCount(); i++) {
            if ((t.mm().vma(i).flags() & Vma.VM_UFFD_MISSING) != 0) {
                regs.add(t.mm().vma(i));
            }
        }
        return regs;
    }

    /**
     * A random private vma of t's mm with every bit of FLAG set (and, unless FLAG asks for a
     * registered one, VM_EXEC and VM_LOCKED as FLAG has them), or null.
     */
    private Vma pick(long flag) {
        List<Vma> c = new ArrayList<>();
        for (int i = 0; i < t.mm().mapCount(); i++) {
            Vma v = t.mm().vma(i);
            if ((v.flags() & flag) == flag && (v.flags() & Vma.VM_SHARED) == 0
                    && (flag & Vma.VM_UFFD_MISSING) != 0 | (v.flags() & (Vma.VM_EXEC | Vma.VM_LOCKED)) == (flag & (Vma.VM_EXEC | Vma.VM_LOCKED))) {
                c.add(v);
            }
        }
        return c.isEmpty() ? null : c.get(rnd.nextInt(c.size()));
    }
}

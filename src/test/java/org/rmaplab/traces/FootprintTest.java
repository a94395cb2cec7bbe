package org.rmaplab.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioError;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/** The machine a perf trace is given: the peak of live faulted pages, the files, the page tables. */
class FootprintTest {

    @Test
    void pagesLeaveWithTheirMmsLastTaskAndAForkCountsWhatItShares() {
        Footprint f = new Footprint();
        Layout a = new Layout();
        f.enter(a);
        for (int i = 0; i < 10; i++) {
            f.fault(a); // 10
        }
        Layout b = a.copy();
        f.forked(a, b); // b shares a's 10: 20
        for (int i = 0; i < 5; i++) {
            f.fault(b); // 25, the peak
        }
        f.enter(a); // a thread of a: the same mm, nothing more
        f.leave(a);
        assertEquals(25, f.peakPages());
        f.leave(a); // a's last task exits: 15 (b's)
        f.leave(b); // b execs into c: 0
        Layout c = new Layout();
        f.enter(c);
        for (int i = 0; i < 3; i++) {
            f.fault(c); // 3
        }
        assertEquals(25, f.peakPages());
        assertEquals(3, f.peakTasks(), "a, b and a's thread");
        assertEquals(0, f.peakVmas(), "no regions in these layouts");
        // tables: 3 tasks * (3 + 2 * 0 vmas) + 25 / 512 + 1 = 10; frames: 25 + 100 file pages + 10 = 135,
        // under the default 1024M, which is kept.
        assertEquals("# machine sized to the trace: 25 pages faulted in by live mms at the peak + 100 pages of model "
                + "files + 10 page-table pages (3 live tasks at the peak, up to 0 vmas each) = 135 frames; RAM at least "
                + "the default 1024M; swap as large as RAM\nmachine ram=1024M swap=1024M\n",
                f.machineLine(100, MachineConfig.DEFAULT_RAM));
    }

    @Test
    void aTraceFaultingMoreThanTheDefaultMachineGetsAMachineThatHoldsIt() {
        // One task mmaps 270000 anonymous pages (more than the 262144 frames of the default 1 GiB)
        // and writes each: 270000 faults, one fault line after conversion. Sized, it runs (the
        // oracle on); on the default machine it does not.
        int pages = 270_000;
        StringBuilder t = new StringBuilder();
        t.append("big 100 [000] 1.000001: PERF_RECORD_COMM exec: big:100/100\n");
        t.append("big 100 [000] 1.000002: syscalls:sys_enter_mmap: addr: 0x00000000, len: 0x")
                .append(Long.toHexString(pages * 4096L))
                .append(", prot: 0x00000003, flags: 0x00000022, fd: 0xffffffff, off: 0x00000000\n");
        long base = 0x7f0000000000L;
        t.append("big 100 [000] 1.000003: syscalls:sys_exit_mmap: 0x").append(Long.toHexString(base)).append('\n');
        for (int i = 0; i < pages; i++) {
            String a = Long.toHexString(base + i * 4096L);
            t.append("big 100 [000] 1.1: exceptions:page_fault_user: address=0x").append(a).append(" ip=0x1 error_code=0x6\n");
        }
        t.append("big 100 [000] 2.0: PERF_RECORD_EXIT(100:100):(99:99)\n");
        TraceConverter.Result r = TraceConverter.convert("big.perf", t.toString(), TraceConverter.Options.DEFAULT);
        assertEquals(1, r.count("fault_write_lines"));
        // tables: 1 task * (3 + 2 * 1 vma) + 270000 / 512 (527) + 1 = 533; frames 270000 + 533 = 270533;
        // 270533 * 4096 bytes = 1056.8 MiB, rounded up: 1057M.
        assertTrue(r.scenario().contains("= 270533 frames;") && r.scenario().contains("\nmachine ram=1057M swap=1057M\n"),
                r.scenario());
        Scenario sc = ScenarioParser.parse("big.vms", r.scenario());
        assertEquals(1057L << 20, sc.machine().ramBytes());
        assertEquals(1057L << 20, sc.machine().swapBytes());
        RunResult sized = run(sc);
        assertTrue(sized.passed(), () -> String.join("\n", sized.report()));
        // On the default machine (1 GiB, no swap) the OOM killer ends the task before its exit line.
        Scenario unsized = ScenarioParser.parse("big.vms", r.scenario().replaceAll("(?m)^machine .*$", ""));
        assertEquals(MachineConfig.DEFAULT_RAM, unsized.machine().ramBytes());
        ScenarioError e = assertThrows(ScenarioError.class, () -> run(unsized));
        assertTrue(e.getMessage().contains("task 'p100' has exited"), e.getMessage());
    }

    private static RunResult run(Scenario sc) {
        return new ScenarioRunner((d, m) -> new CheckedSyscalls(new Machine(m, RmapDesigns.create(d)),
                CheckPolicy.EVERY)).run(sc, "anon_vma_chain");
    }
}

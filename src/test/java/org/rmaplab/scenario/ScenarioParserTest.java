package org.rmaplab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.NonlinearTruncate;
import org.rmaplab.mm.Mman;

class ScenarioParserTest {

    static Scenario parse(String... lines) {
        return ScenarioParser.parse("s.vms", String.join("\n", lines));
    }

    static String error(String... lines) {
        return assertThrows(ScenarioError.class, () -> parse(lines)).getMessage();
    }

    // ------------------------------------------------------------------ valid input

    @Test
    void parsesTheContractExampleWithLineNumbers() {
        Scenario sc = parse(
                "# comment",
                "",
                "t1 mmap 0 16p rw private|anonymous as A",
                "t1 write A 16p 0xA1",
                "t1 fork as t2",
                "t2 write A+4p 1p 0xB2            # COW in the child",
                "t1 mremap A 16p 32p maymove as B",
                "t1 read B+4p expect 0xA1",
                "t1 read B+2p expect SEGV",
                "t1 vmas B 32p expect 2",
                "reclaim all",
                "check");
        List<Statement> st = sc.statements();
        assertEquals(10, st.size());
        assertEquals(MachineConfig.defaults(), sc.machine());

        Statement mmap = st.get(0);
        assertEquals(3, mmap.line());
        assertEquals("t1", mmap.task());
        assertEquals(Op.MMAP, mmap.op());
        assertEquals(new Expr("0", null, 0), mmap.arg(0));
        assertEquals(new Expr("16p", null, 65536), mmap.arg(1));
        assertEquals(new Arg.Prot("rw", Mman.PROT_READ | Mman.PROT_WRITE), mmap.arg(2));
        assertEquals(new Arg.Flags("private|anonymous", Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS), mmap.arg(3));
        assertEquals("A", mmap.as());
        assertNull(mmap.expect());

        Statement cow = st.get(3);
        assertEquals(6, cow.line());
        assertEquals("t2 write A+4p 1p 0xB2", cow.text());
        assertEquals(new Expr("A+4p", "A", 4 * 4096), cow.arg(0));
        assertEquals(new Expr("0xB2", null, 0xB2), cow.arg(2));

        assertEquals(new Arg.Flags("maymove", Mman.MREMAP_MAYMOVE), st.get(4).arg(3));
        assertEquals(new Expectation.Value(new Expr("0xA1", null, 0xA1)), st.get(5).expect());
        assertEquals(new Expectation.Fault("SEGV", 1), st.get(6).expect());
        assertEquals(new Expectation.Value(new Expr("2", null, 2)), st.get(7).expect());

        Statement reclaim = st.get(8);
        assertNull(reclaim.task());
        assertEquals(Op.RECLAIM, reclaim.op());
        assertInstanceOf(Arg.All.class, reclaim.arg(0));
        assertEquals(Op.CHECK, st.get(9).op());
        assertEquals(12, st.get(9).line());
        assertEquals(12, sc.lastLine());
    }

    @Test
    void machineLine() {
        Scenario sc = parse("# first", "machine ram=256M swap=1G arch=i386-pae", "t1 brk 0");
        assertEquals(new MachineConfig(256L << 20, 1L << 30, "i386-pae"), sc.machine());
        Scenario partial = parse("machine swap=16p");
        assertEquals(new MachineConfig(MachineConfig.DEFAULT_RAM, 65536, "x86_64"), partial.machine());
        assertEquals(new MachineConfig(MachineConfig.DEFAULT_RAM, 0, "x86_64", true),
                parse("machine remap=nonlinear").machine());
        assertEquals(MachineConfig.defaults(), parse("machine remap=emulated").machine());
        assertEquals(new MachineConfig(MachineConfig.DEFAULT_RAM, 0, "x86_64", true, NonlinearTruncate.CLEANUP),
                parse("machine remap=nonlinear truncate=cleanup").machine());
        assertEquals(NonlinearTruncate.EXHAUSTIVE, parse("machine truncate=exhaustive").machine().truncate());
    }

    @Test
    void sizesAndExpressions() {
        Scenario sc = parse(
                "t1 mmap 0x7f0000000000 1K r private|anonymous|fixed as G",
                "t1 write G+2p+1 2M 18446744073709551615",
                "t1 read G-1p+0x10 1G expect G+2p-1",
                "t1 read 0 4096 expect 0xFFFFFFFFFFFFFFFF");
        assertEquals(new Expr("0x7f0000000000", null, 0x7f0000000000L), sc.statements().get(0).arg(0));
        assertEquals(1024, ((Expr) sc.statements().get(0).arg(1)).constant());
        Expr e = (Expr) sc.statements().get(1).arg(0);
        assertEquals("G", e.name());
        assertEquals(2 * 4096 + 1, e.constant());
        assertEquals(0x1000_2001L, e.eval(0x1000_0000L));
        assertEquals(2L << 20, ((Expr) sc.statements().get(1).arg(1)).constant());
        assertEquals(-1L, ((Expr) sc.statements().get(1).arg(2)).constant());
        Expr neg = (Expr) sc.statements().get(2).arg(0);
        assertEquals(-4096 + 16, neg.constant());
        assertEquals(0x10000L - 4096 + 16, neg.eval(0x10000L));
        assertEquals(1L << 30, ((Expr) sc.statements().get(2).arg(1)).constant());
        Expectation.Value v = (Expectation.Value) sc.statements().get(2).expect();
        assertEquals(new Expr("G+2p-1", "G", 8191), v.expr());
        assertEquals(new Expectation.Value(new Expr("0xFFFFFFFFFFFFFFFF", null, -1L)),
                sc.statements().get(3).expect());
    }

    @Test
    void protsFlagsAndAdvice() {
        Scenario sc = parse(
                "t1 mmap 0 1p none shared|anonymous|populate|locked|noreserve|fixed_noreplace as A",
                "t1 mprotect A 1p rwx",
                "t1 mprotect A 1p xr",
                "t1 mremap A 1p 1p maymove|dontunmap|fixed A+1p",
                "t1 mremap A 1p 2p 0",
                "t1 madvise A 1p dontfork",
                "t1 madvise A 1p pageout",
                "t1 mmap 0 1p r 0");
        List<Statement> st = sc.statements();
        assertEquals(Mman.PROT_NONE, ((Arg.Prot) st.get(0).arg(2)).value());
        assertEquals(Mman.MAP_SHARED | Mman.MAP_ANONYMOUS | Mman.MAP_POPULATE | Mman.MAP_LOCKED
                | Mman.MAP_NORESERVE | Mman.MAP_FIXED_NOREPLACE, ((Arg.Flags) st.get(0).arg(3)).value());
        assertEquals(7, ((Arg.Prot) st.get(1).arg(2)).value());
        assertEquals(Mman.PROT_READ | Mman.PROT_EXEC, ((Arg.Prot) st.get(2).arg(2)).value());
        assertEquals(Mman.MREMAP_MAYMOVE | Mman.MREMAP_DONTUNMAP | Mman.MREMAP_FIXED,
                ((Arg.Flags) st.get(3).arg(3)).value());
        assertEquals(5, st.get(3).args().size());
        assertEquals(0, ((Arg.Flags) st.get(4).arg(3)).value());
        assertEquals(new Arg.Advice("dontfork", Mman.MADV_DONTFORK), st.get(5).arg(2));
        assertEquals(new Arg.Advice("pageout", Mman.MADV_PAGEOUT), st.get(6).arg(2));
        assertEquals(0, ((Arg.Flags) st.get(7).arg(3)).value());
    }

    @Test
    void resultsOfEveryShape() {
        Scenario sc = parse(
                "t1 mmap 0 4p rw private|anonymous as A expect ok",
                "t1 munmap A+1 1p expect EINVAL",
                "t1 read A 4p expect MIXED",
                "t1 touch A 1p expect BUS",
                "t1 vma A expect A..A+16p rw-p",
                "t1 vma 0 expect none",
                "t1 fork as t2 expect ENOMEM",
                "t1 brk 0 expect 4p",
                "check expect ok");
        List<Statement> st = sc.statements();
        assertInstanceOf(Expectation.Ok.class, st.get(0).expect());
        assertEquals(new Expectation.Err("EINVAL", 22), st.get(1).expect());
        assertInstanceOf(Expectation.Mixed.class, st.get(2).expect());
        assertEquals(new Expectation.Fault("BUS", 2), st.get(3).expect());
        assertEquals(new Expectation.Vma(new Expr("A", "A", 0), new Expr("A+16p", "A", 65536), "rw-p"),
                st.get(4).expect());
        assertInstanceOf(Expectation.NoVma.class, st.get(5).expect());
        assertEquals(new Expectation.Err("ENOMEM", 12), st.get(6).expect());
        assertEquals("t2", st.get(6).as());
        assertEquals(new Expectation.Value(new Expr("4p", null, 16384)), st.get(7).expect());
        assertInstanceOf(Expectation.Ok.class, st.get(8).expect());
    }

    @Test
    void scopedExpectationsReplaceTheUnscopedOne() {
        Scenario sc = parse("t1 vmas 0 10p expect 2 expect:anon_vma,pte_chains 1 expect:linux 3");
        Statement s = sc.statements().get(0);
        assertEquals(3, s.scoped().size());
        assertEquals(new Expectation.Value(new Expr("2", null, 2)), s.expectationFor("anon_vma_chain"));
        assertEquals(new Expectation.Value(new Expr("2", null, 2)), s.expectationFor("lokier"));
        assertEquals(new Expectation.Value(new Expr("1", null, 1)), s.expectationFor("anon_vma"));
        assertEquals(new Expectation.Value(new Expr("1", null, 1)), s.expectationFor("pte_chains"));
        assertEquals(new Expectation.Value(new Expr("3", null, 3)), s.expectationFor("linux"));

        Statement only = parse("t1 vmas 0 1p expect:anonmm 0").statements().get(0);
        assertNull(only.expect());
        assertNull(only.expectationFor("anon_vma_chain"));
        assertEquals(new Expectation.Value(new Expr("0", null, 0)), only.expectationFor("anonmm"));
    }

    @Test
    void aVariantsOwnScopeWinsOverItsDesigns() {
        Statement s = parse("t1 vmas 0 10p expect 2 expect:anon_vma_chain 3 expect:anon_vma_chain:noreuse 1")
                .statements().get(0);
        assertEquals(new Expectation.Value(new Expr("1", null, 1)), s.expectationFor("anon_vma_chain:noreuse"));
        assertEquals(new Expectation.Value(new Expr("3", null, 3)), s.expectationFor("anon_vma_chain:other"),
                "a variant without a scope of its own runs as its design");
        assertEquals(new Expectation.Value(new Expr("3", null, 3)), s.expectationFor("anon_vma_chain"));
        assertEquals(new Expectation.Value(new Expr("2", null, 2)), s.expectationFor("linux"));
        Statement flags = parse("t1 mremap 0 1p 1p maymove|relocate_anon|MREMAP_MUST_RELOCATE_ANON").statements().get(0);
        assertEquals(new Expectation.Value(new Expr("2", null, 2)), s.expectationFor("lokier:noreserve"));
        assertEquals(Mman.MREMAP_MAYMOVE | Mman.MREMAP_RELOCATE_ANON | Mman.MREMAP_MUST_RELOCATE_ANON,
                ((Arg.Flags) flags.arg(3)).value());
    }

    @Test
    void clausesInAnyOrderAndRebinding() {
        Scenario sc = parse(
                "t1 mmap 0 1p rw private|anonymous expect ok as A",
                "t1 mremap A 1p 2p maymove as A",
                "t1 fork as t2",
                "t2 exit",
                "t1 fork as t2",
                "t2 clone as t3",
                "t3 exec");
        assertEquals("A", sc.statements().get(0).as());
        assertInstanceOf(Expectation.Ok.class, sc.statements().get(0).expect());
        assertEquals(7, sc.statements().size());
    }

    @Test
    void crlfLineEndingsAndTabs() {
        Scenario sc = ScenarioParser.parse("w.vms", "t1\tmmap 0 1p rw private|anonymous as A\r\n\r\nt1 read A expect 0\r\n");
        assertEquals(2, sc.statements().size());
        assertEquals(3, sc.statements().get(1).line());
    }

    @Test
    void parsesTheExampleFile() throws Exception {
        Scenario sc = ScenarioParser.parseFile(java.nio.file.Path.of("examples/fork-cow.vms"));
        assertEquals("examples/fork-cow.vms", sc.file());
        assertEquals(12, sc.statements().size());
        assertTrue(sc.statements().stream().noneMatch(s -> s.op() == Op.RECLAIM));
    }

    // ------------------------------------------------------------------ errors

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '"', textBlock = """
        # lines (\\n separated) => message
        t1 mmapp 0 1p rw private => s.vms:1: unknown operation 'mmapp'
        t1 => s.vms:1: missing operation after 't1'
        mmap 0 1p rw private => s.vms:1: missing task name before 'mmap' (e.g. t1 mmap ...)
        t9 brk 0 => s.vms:1: unknown task 't9'
        1x brk 0 => s.vms:1: a line starts with a task name or reclaim/check, not '1x'
        t1 reclaim 4 => s.vms:1: reclaim is a global operation: write it without a task
        t1 mmap 0 1p rw => s.vms:1: mmap takes ADDR LEN PROT FLAGS [FILE OFFSET], got 3 arguments
        t1 mmap 0 1p rw private|anonymous F => s.vms:1: mmap takes ADDR LEN PROT FLAGS [FILE OFFSET], got 5 arguments
        t1 fork 1 => s.vms:1: fork takes no arguments, got 1 argument
        t1 munmap 0 => s.vms:1: munmap takes ADDR LEN, got 1 argument
        t1 read => s.vms:1: read takes ADDR [LEN], got 0 arguments
        check now => s.vms:1: check takes no arguments, got 1 argument
        t1 mmap 0 1p rw private|anon => s.vms:1: unknown mmap flag 'anon' (known: shared, private, shared_validate, fixed, anonymous, growsdown, denywrite, executable, locked, noreserve, populate, nonblock, stack, hugetlb, sync, fixed_noreplace, or 0)
        t1 mmap 0 1p rw private||anonymous => s.vms:1: empty flag in 'private||anonymous' (known: shared, private, shared_validate, fixed, anonymous, growsdown, denywrite, executable, locked, noreserve, populate, nonblock, stack, hugetlb, sync, fixed_noreplace, or 0)
        t1 mmap 0 1p rw private|private => s.vms:1: mmap flag 'private' given twice
        t1 mremap 0 1p 2p maymove|populate => s.vms:1: unknown mremap flag 'populate' (known: maymove, fixed, dontunmap, relocate_anon, must_relocate_anon, or 0)
        t1 mmap 0 1p rw maymove => s.vms:1: unknown mmap flag 'maymove' (known: shared, private, shared_validate, fixed, anonymous, growsdown, denywrite, executable, locked, noreserve, populate, nonblock, stack, hugetlb, sync, fixed_noreplace, or 0)
        t1 mmap 0 1p PROT_READ MAP_PRIVATE|MREMAP_FIXED => s.vms:1: unknown mmap flag 'MREMAP_FIXED' (known: shared, private, shared_validate, fixed, anonymous, growsdown, denywrite, executable, locked, noreserve, populate, nonblock, stack, hugetlb, sync, fixed_noreplace, or 0)
        t1 mmap 0 1p PROT_READ|PROT_WRIT private => s.vms:1: bad protection 'PROT_READ|PROT_WRIT' (PROT_READ, PROT_WRITE, PROT_EXEC or PROT_NONE joined by |, or none, or letters from rwx)
        t1 madvise 0 1p MADV_NOPE => s.vms:1: unknown advice 'MADV_NOPE' (known: dontneed, dontfork, dofork, pageout, remove)
        t1 mmap 0 1p rw MAP_private => s.vms:1: unknown mmap flag 'MAP_private' (known: shared, private, shared_validate, fixed, anonymous, growsdown, denywrite, executable, locked, noreserve, populate, nonblock, stack, hugetlb, sync, fixed_noreplace, or 0)
        t1 mmap 0 1p rwz private => s.vms:1: bad protection 'rwz' (none, or letters from rwx)
        t1 mmap 0 1p rr private => s.vms:1: bad protection 'rr': 'r' given twice
        t1 mprotect 0 1p r-x => s.vms:1: bad protection 'r-x' (none, or letters from rwx)
        t1 madvise 0 1p willneed => s.vms:1: unknown advice 'willneed' (known: dontneed, dontfork, dofork, pageout, remove)
        t1 munmap 0 4k => s.vms:1: bad number '4k' (a decimal or 0x hex number, with an optional unit p, K, M or G)
        t1 munmap 0 0x => s.vms:1: bad number '0x' (a decimal or 0x hex number, with an optional unit p, K, M or G)
        t1 munmap 0 0x10000000000000000 => s.vms:1: number '0x10000000000000000' does not fit in 64 bits
        t1 munmap 0 9999999999999G => s.vms:1: size '9999999999999G' is too large
        t1 munmap A 1p => s.vms:1: unknown name 'A'
        t1 munmap -1 1p => s.vms:1: bad value '-1' (numbers are not signed)
        t1 munmap 0+ 1p => s.vms:1: bad value '0+': missing size after '+'
        t1 munmap 0+B 1p => s.vms:1: bad value '0+B': 'B' is not a size
        t1 munmap t1 1p => s.vms:1: 't1' is a task, not a value
        t1 mmap 0 1p rw private|anonymous as A\\nt1 munmap 0 A => s.vms:2: 'A' must be a size (a number with an optional unit p, K, M or G), not a name
        t1 mmap 0 1p rw private|anonymous as A\\nA brk 0 => s.vms:2: 'A' is a value (line 1), not a task
        t1 fork => s.vms:1: fork needs 'as NAME' to name the new task
        t1 clone expect ok => s.vms:1: clone needs 'as NAME' to name the new task
        t1 brk 0 as A as B => s.vms:1: duplicate 'as'
        t1 brk 0 as => s.vms:1: 'as' needs a NAME
        t1 brk 0 as expect ok => s.vms:1: 'as' needs a NAME
        t1 brk 0 as 9a => s.vms:1: bad name '9a' (a letter, then letters, digits or _)
        t1 brk 0 as a-b => s.vms:1: bad name 'a-b' (a letter, then letters, digits or _)
        t1 brk 0 as machine => s.vms:1: 'machine' is a reserved word and cannot be a name
        t1 brk 0 as check => s.vms:1: 'check' is a reserved word and cannot be a name
        t1 fork as reclaim => s.vms:1: 'reclaim' is a reserved word and cannot be a name
        t1 brk 0 as EINVAL => s.vms:1: 'EINVAL' is a reserved word and cannot be a name
        t1 brk 0 as t1 => s.vms:1: 't1' is already a task; it cannot become a value
        t1 brk 0 as A\\nt1 fork as A => s.vms:2: 'A' is already a value (line 1); it cannot become a task
        t1 vma 0 as V => s.vms:1: vma has no result to bind with 'as'
        check as C => s.vms:1: check has no result to bind with 'as'
        t1 brk 0 expect ok expect 0 => s.vms:1: duplicate 'expect' (use expect:DESIGNS for a design's own result)
        t1 brk 0 expect => s.vms:1: 'expect' needs a RESULT
        t1 brk 0 expect:anon_vma => s.vms:1: 'expect:anon_vma' needs a RESULT
        t1 brk 0 expect: 0 => s.vms:1: 'expect:' needs design names, e.g. expect:anon_vma,pte_chains
        t1 brk 0 expect:anon_vma, 0 => s.vms:1: empty design name in 'expect:anon_vma,'
        t1 brk 0 expect:anon_vma_chain:nosuch 0 => s.vms:1: unknown design 'anon_vma_chain:nosuch' in expect: (known: anon_vma, anon_vma_chain, anon_vma_chain:matena, anon_vma_chain:noreuse, anon_vma_chain:relocate, anonmm, linux, lokier, lokier:noreserve, pte_chains, pte_chains:mlocked_unchained, pte_chains:objrmap, pte_chains:objrmap_nlchains)
        t1 brk 0 expect:rmap 0 => s.vms:1: unknown design 'rmap' in expect: (known: anon_vma, anon_vma_chain, anon_vma_chain:matena, anon_vma_chain:noreuse, anon_vma_chain:relocate, anonmm, linux, lokier, lokier:noreserve, pte_chains, pte_chains:mlocked_unchained, pte_chains:objrmap, pte_chains:objrmap_nlchains)
        t1 brk 0 expect:anonmm,anonmm 0 => s.vms:1: design 'anonmm' has two scoped expectations
        t1 brk 0 expect:anonmm 0 expect:linux,anonmm 1 => s.vms:1: design 'anonmm' has two scoped expectations
        t1 brk 0 expect ok now => s.vms:1: unexpected 'now' (after the arguments come only 'as NAME' and 'expect RESULT')
        t1 brk 0 expect EFOO => s.vms:1: unknown errno name 'EFOO'
        t1 brk 0 expect SEGV => s.vms:1: brk results are ok, an errno name or a value, not 'SEGV'
        t1 munmap 0 1p expect MIXED => s.vms:1: munmap results are ok, an errno name or a value, not 'MIXED'
        t1 munmap 0 1p expect none => s.vms:1: munmap results are ok, an errno name or a value, not 'none'
        t1 write 0 1p 1 expect EFAULT => s.vms:1: write results are ok, SEGV, BUS or a value, not 'EFAULT'
        t1 touch 0 1p expect MIXED => s.vms:1: touch results are ok, SEGV, BUS or a value, not 'MIXED'
        t1 read 0 expect EINVAL => s.vms:1: read results are ok, SEGV, BUS, MIXED or a value, not 'EINVAL'
        t1 fork as t2 expect 0 => s.vms:1: fork results are ok or an errno name, not '0'
        t1 fork as t2 expect SEGV => s.vms:1: fork results are ok or an errno name, not 'SEGV'
        check expect 0 => s.vms:1: check results are ok, not '0'
        t1 brk 0 expect 0..1 => s.vms:1: brk results are ok, an errno name or a value, not '0..1'
        t1 vma 0 expect ok => s.vms:1: vma results are START..END PERMS or none, not 'ok'
        t1 vma 0 expect 0..1p => s.vms:1: vma result '0..1p' needs PERMS after it (e.g. rw-p)
        t1 vma 0 expect 0..1p rw => s.vms:1: bad vma perms 'rw' (as /proc/PID/maps shows them, e.g. rw-p, r--s)
        t1 vma 0 expect 0..X rw-p => s.vms:1: unknown name 'X'
        t1 brk 0\\nmachine ram=1G => s.vms:2: the machine line must be the first non-comment line
        machine ram=1G\\nmachine ram=1G => s.vms:2: the machine line must be the first non-comment line
        machine ram=1G ram=2G => s.vms:1: machine: ram= given twice
        machine disk=1G => s.vms:1: machine: unknown key 'disk' (known: ram, swap, arch, remap, truncate)
        machine truncate=lazy => s.vms:1: machine: truncate=lazy is none of exhaustive, linear, cleanup, unmap
        machine remap=linear => s.vms:1: machine: remap=linear is neither emulated nor nonlinear
        machine remap=nonlinear remap=emulated => s.vms:1: machine: remap= given twice
        machine ram => s.vms:1: machine takes ram=SIZE swap=SIZE arch=ARCH remap=emulated|nonlinear truncate=exhaustive|linear|cleanup|unmap, not 'ram'
        machine ram=1GB => s.vms:1: bad ram= '1GB' (a decimal or 0x hex number, with an optional unit p, K, M or G)
        machine ram=1000 => s.vms:1: machine: ram=1000 is not a multiple of the page size (4096)
        machine ram=0 => s.vms:1: machine: ram must not be 0
        machine arch=arm64 => s.vms:1: machine: unknown arch 'arm64' (known: x86_64, x86_64-la57, i386, i386-pae, i386-pae-nohighpte, i386-numaq)
        t1 ftruncate F 1p => s.vms:1: unknown file 'F' (bind one with 'open NAME SIZE as F')
        t1 brk 0 as F\\nt1 ftruncate F 1p => s.vms:2: 'F' is a value, not a file
        t1 open data 4p => s.vms:1: open needs 'as NAME' to name the file
        t1 open 9 4p as F => s.vms:1: bad file name '9' (a letter, then letters, digits or _)
        t1 open data 4p as F\\nt1 read F => s.vms:2: 'F' is a file, not a value
        t1 uffd_move 0 0 1p maymove => s.vms:1: unknown uffd_move flag 'maymove' (known: dontwake, allow_src_holes, or 0)
        t1 uffd_copy 0 0 1p allow_src_holes => s.vms:1: unknown uffd_copy flag 'allow_src_holes' (known: dontwake, wp, or 0)
        t1 uffd_copy 0 0 => s.vms:1: uffd_copy takes DST SRC LEN [FLAGS], got 2 arguments
        t1 uffd_copy 0 0 1p expect 0..1p rw-p => s.vms:1: uffd_copy results are ok, an errno name or a value, not '0..1p'
        reclaim => s.vms:1: reclaim takes COUNT|all, got 0 arguments
        reclaim some => s.vms:1: 'some' must be a size (a number with an optional unit p, K, M or G), not a name
        """)
    void errors(String lines, String message) {
        assertEquals(message, error(lines.split("\\\\n")));
    }

    @Test
    void errorLineCountsCommentsAndBlanks() {
        assertEquals("s.vms:4: unknown operation 'foo'", error("# c", "", "t1 brk 0   # ok", "t1 foo"));
    }

    @Test
    void errorsAreOneLine() {
        ScenarioError e = assertThrows(ScenarioError.class, () -> parse("t1 foo"));
        assertEquals("s.vms", e.file());
        assertEquals(1, e.line());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void nameUsedBeforeItsBindingLine() {
        assertEquals("s.vms:1: unknown name 'A'", error("t1 read A", "t1 mmap 0 1p r private|anonymous as A"));
    }

    @Test
    void nameBoundOnTheSameLineIsNotVisibleToItsOwnArguments() {
        assertEquals("s.vms:1: unknown name 'A'", error("t1 mmap A 1p r private|anonymous as A"));
    }

    /** maps (an rmaplab addition): no arguments, a count to expect or bind; a global op it is not. */
    @Test
    void mapsTakesNoArgumentsAndExpectsACount() {
        Scenario sc = parse("t1 maps", "t1 maps expect 3", "t1 maps as N expect:anon_vma 2");
        assertEquals(Op.MAPS, sc.statements().get(0).op());
        assertEquals(List.of(), sc.statements().get(0).args());
        assertEquals("t1", sc.statements().get(1).task());
        assertEquals("N", sc.statements().get(2).as());
        assertEquals("s.vms:1: maps takes no arguments, got 1 argument", error("t1 maps 0x1000"));
        assertEquals("s.vms:1: maps results are ok, an errno name or a value, not 'SEGV'",
                error("t1 maps expect SEGV"));
    }
}

package org.rmaplab.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rmaplab.cost.ArchProfile;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Errno;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Syscalls;

/**
 * Parses the scenario language, version 1 (docs/scenario-language.md), into a
 * {@link Scenario}. Everything that can be checked without running is checked here: argument
 * counts and kinds, flags, advice, protections, results allowed for each operation, names (a name
 * must be bound by an earlier line before it is used, and keeps one kind: task, value or file),
 * design names of {@code expect:} scopes. Each error is a {@link ScenarioError} whose message is one
 * line, {@code FILE:LINE: what is wrong}.
 */
public final class ScenarioParser {

    public static final long PAGE_SIZE = PageTable.PAGE_SIZE;

    /** The architecture profiles {@code machine arch=} accepts: the cost model's. */
    static final List<String> ARCHES = ArchProfile.NAMES;

    private static final Pattern BLANKS = Pattern.compile("\\s+");
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Pattern NUMBER = Pattern.compile("(0[xX][0-9a-fA-F]+|[0-9]+)([pKMG]?)");
    private static final Pattern ERRNO_LIKE = Pattern.compile("E[A-Z0-9]+");
    private static final Pattern PERMS = Pattern.compile("[r-][w-][x-][ps]");

    /** Words that cannot be names: the contract's, plus the language's own keywords and results. */
    static final Set<String> RESERVED = Set.of(
            "machine", "reclaim", "check", "as", "expect", "ok", "none", "all", "MIXED", "SEGV", "BUS", "KILLED");

    private enum NameKind {
        TASK("a task"), VALUE("a value"), FILE("a file");
        final String what;

        NameKind(String what) {
            this.what = what;
        }
    }

    private record NameInfo(NameKind kind, int line) {}

    private final String file;
    private final Map<String, NameInfo> names = new HashMap<>();
    private final List<Statement> statements = new ArrayList<>();
    private MachineConfig machine;
    private boolean seenLine;
    private int lineNo;

    private ScenarioParser(String file) {
        this.file = file;
        names.put("t1", new NameInfo(NameKind.TASK, 0));
    }

    /** Parses TEXT; FILE names it in messages. */
    public static Scenario parse(String file, String text) {
        ScenarioParser p = new ScenarioParser(file);
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            p.lineNo = i + 1;
            p.parseLine(lines[i]);
        }
        MachineConfig m = p.machine != null ? p.machine : MachineConfig.defaults();
        return new Scenario(file, m, p.statements);
    }

    /**
     * A parser fed one line at a time, names bound by earlier lines staying known: for a generator
     * that runs each line before it writes the next. FILE names it in messages.
     */
    public static ScenarioParser incremental(String file) {
        return new ScenarioParser(file);
    }

    /** Parses the next line: its statement, or null for a blank, comment or {@code machine} line. */
    public Statement next(String line) {
        lineNo++;
        parseLine(line);
        return statements.isEmpty() ? null : statements.remove(statements.size() - 1);
    }

    /** The machine of the {@code machine} line fed so far, or the defaults. */
    public MachineConfig machine() {
        return machine != null ? machine : MachineConfig.defaults();
    }

    /** Reads and parses a file (UTF-8); the path as given names it in messages. */
    public static Scenario parseFile(Path path) throws IOException {
        String text = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
        return parse(path.toString(), text);
    }

    private ScenarioError error(String what) {
        return new ScenarioError(file, lineNo, what);
    }

    // ---------------------------------------------------------------- lines

    private void parseLine(String raw) {
        int hash = raw.indexOf('#');
        String text = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
        if (text.isEmpty()) {
            return;
        }
        String[] tok = BLANKS.split(text);
        if (tok[0].equals("machine")) {
            if (seenLine) {
                throw error("the machine line must be the first non-comment line");
            }
            seenLine = true;
            parseMachine(tok);
            return;
        }
        seenLine = true;
        statements.add(parseStatement(text, tok));
    }

    private void parseMachine(String[] tok) {
        MachineConfig d = MachineConfig.defaults();
        long ram = d.ramBytes();
        long swap = d.swapBytes();
        String arch = d.arch();
        boolean nonlinear = d.nonlinear();
        org.rmaplab.mm.NonlinearTruncate truncate = d.truncate();
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 1; i < tok.length; i++) {
            String t = tok[i];
            int eq = t.indexOf('=');
            if (eq <= 0) {
                throw error("machine takes ram=SIZE swap=SIZE arch=ARCH remap=emulated|nonlinear "
                        + "truncate=exhaustive|linear|cleanup|unmap, not '" + t + "'");
            }
            String key = t.substring(0, eq);
            String val = t.substring(eq + 1);
            if (!seen.add(key)) {
                throw error("machine: " + key + "= given twice");
            }
            switch (key) {
                case "ram" -> {
                    ram = machineSize(key, val);
                    if (ram == 0) {
                        throw error("machine: ram must not be 0");
                    }
                }
                case "swap" -> swap = machineSize(key, val);
                case "arch" -> {
                    if (!ARCHES.contains(val)) {
                        throw error("machine: unknown arch '" + val + "' (known: " + String.join(", ", ARCHES) + ")");
                    }
                    arch = val;
                }
                case "remap" -> {
                    if (!val.equals("emulated") && !val.equals("nonlinear")) {
                        throw error("machine: remap=" + val + " is neither emulated nor nonlinear");
                    }
                    nonlinear = val.equals("nonlinear");
                }
                case "truncate" -> {
                    truncate = org.rmaplab.mm.NonlinearTruncate.of(val);
                    if (truncate == null) {
                        throw error("machine: truncate=" + val + " is none of exhaustive, linear, cleanup, unmap");
                    }
                }
                default -> throw error("machine: unknown key '" + key + "' (known: ram, swap, arch, remap, truncate)");
            }
        }
        machine = new MachineConfig(ram, swap, arch, nonlinear, truncate);
    }

    private long machineSize(String key, String val) {
        long v = constant(val, key + "=");
        if (v % PAGE_SIZE != 0) {
            throw error("machine: " + key + "=" + val + " is not a multiple of the page size (4096)");
        }
        return v;
    }

    private Statement parseStatement(String text, String[] tok) {
        Op first = Op.byWord(tok[0]);
        boolean global = first != null && first.isGlobal();
        String task = global ? null : parseTask(tok, first);
        Op op = global ? first : parseTaskOp(tok);
        int i = global ? 1 : 2;
        // arguments run up to the first clause keyword
        int argEnd = i;
        while (argEnd < tok.length && !isClauseStart(tok[argEnd])) {
            argEnd++;
        }
        List<Arg> args = parseArgs(op, tok, i, argEnd);
        Clauses c = parseClauses(op, tok, argEnd);
        if (c.as != null) {
            bind(op, c.as);
        } else if (op == Op.FORK || op == Op.CLONE) {
            throw error(op.word() + " needs 'as NAME' to name the new task");
        } else if (op == Op.OPEN) {
            throw error("open needs 'as NAME' to name the file");
        }
        return new Statement(lineNo, text, task, op, args, c.as, c.expect, c.scoped);
    }

    /** The task a task operation's line starts with: a bound task name. */
    private String parseTask(String[] tok, Op first) {
        String task = tok[0];
        NameInfo ni = names.get(task);
        if (ni == null) {
            if (first != null) {
                throw error("missing task name before '" + task + "' (e.g. t1 " + task + " ...)");
            }
            if (!NAME.matcher(task).matches()) {
                throw error("a line starts with a task name or reclaim/check, not '" + task + "'");
            }
            throw error("unknown task '" + task + "'");
        }
        if (ni.kind != NameKind.TASK) {
            throw error("'" + task + "' is " + ni.kind.what + " (line " + ni.line + "), not a task");
        }
        return task;
    }

    /** The operation after the task name. */
    private Op parseTaskOp(String[] tok) {
        if (tok.length < 2) {
            throw error("missing operation after '" + tok[0] + "'");
        }
        Op op = Op.byWord(tok[1]);
        if (op == null) {
            throw error("unknown operation '" + tok[1] + "'");
        }
        if (op.isGlobal()) {
            throw error(op.word() + " is a global operation: write it without a task");
        }
        return op;
    }

    /** The arguments tok[from, to) of op, checked against its arity and argument kinds. */
    private List<Arg> parseArgs(Op op, String[] tok, int from, int to) {
        int n = to - from;
        if (!op.acceptsArity(n)) {
            String usage = op.usage().isEmpty() ? "no arguments" : op.usage();
            throw error(op.word() + " takes " + usage + ", got " + n + " argument" + (n == 1 ? "" : "s"));
        }
        List<Arg> args = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            args.add(parseArg(op, op.kind(k), tok[from + k]));
        }
        return args;
    }

    /** What follows a line's arguments: {@code as NAME}, {@code expect RESULT}, {@code expect:DESIGNS RESULT}. */
    private record Clauses(String as, Expectation expect, Map<String, Expectation> scoped) {
    }

    private Clauses parseClauses(Op op, String[] tok, int from) {
        String as = null;
        Expectation expect = null;
        Map<String, Expectation> scoped = new LinkedHashMap<>();
        int j = from;
        while (j < tok.length) {
            String t = tok[j];
            if (t.equals("as")) {
                if (as != null) {
                    throw error("duplicate 'as'");
                }
                if (j + 1 >= tok.length || isClauseStart(tok[j + 1])) {
                    throw error("'as' needs a NAME");
                }
                as = tok[j + 1];
                j += 2;
            } else if (t.equals("expect") || t.startsWith("expect:")) {
                List<String> scope = null;
                if (t.startsWith("expect:")) {
                    scope = parseScope(t.substring("expect:".length()), scoped);
                } else if (expect != null) {
                    throw error("duplicate 'expect' (use expect:DESIGNS for a design's own result)");
                }
                int used = expectationTokens(op, tok, j);
                Expectation e = parseResult(op, tok[j + 1], used == 2 ? tok[j + 2] : null);
                if (scope == null) {
                    expect = e;
                } else {
                    for (String d : scope) {
                        scoped.put(d, e);
                    }
                }
                j += 1 + used;
            } else {
                throw error("unexpected '" + t + "' (after the arguments come only 'as NAME' and 'expect RESULT')");
            }
        }
        return new Clauses(as, expect, scoped);
    }

    /** How many tokens the RESULT after the expect clause at tok[j] takes: 1, or 2 for a vma range and its perms. */
    private int expectationTokens(Op op, String[] tok, int j) {
        if (j + 1 >= tok.length || isClauseStart(tok[j + 1])) {
            throw error("'" + tok[j] + "' needs a RESULT");
        }
        if (op.result() == Op.Result.VMA && (tok[j + 1].contains("..") || MAPS_RANGE.matcher(tok[j + 1]).matches())) {
            if (j + 2 >= tok.length || isClauseStart(tok[j + 2])) {
                throw error("vma result '" + tok[j + 1] + "' needs PERMS after it (e.g. rw-p)");
            }
            return 2;
        }
        return 1;
    }

    private static boolean isClauseStart(String t) {
        return t.equals("as") || t.equals("expect") || t.startsWith("expect:");
    }

    private List<String> parseScope(String list, Map<String, Expectation> scoped) {
        if (list.isEmpty()) {
            throw error("'expect:' needs design names, e.g. expect:anon_vma,pte_chains");
        }
        List<String> out = new ArrayList<>();
        for (String d : list.split(",", -1)) {
            if (d.isEmpty()) {
                throw error("empty design name in 'expect:" + list + "'");
            }
            if (!Designs.isScopeName(d)) {
                throw error("unknown design '" + d + "' in expect: (known: " + Designs.scopeNames() + ")");
            }
            if (scoped.containsKey(d) || out.contains(d)) {
                throw error("design '" + d + "' has two scoped expectations");
            }
            out.add(d);
        }
        return out;
    }

    private void bind(Op op, String name) {
        if (op.isGlobal() || op.result() == Op.Result.VMA || op.result() == Op.Result.NONE) {
            throw error(op.word() + " has no result to bind with 'as'");
        }
        checkNewName(name);
        NameKind kind = switch (op.result()) {
            case TASK -> NameKind.TASK;
            case FILE -> NameKind.FILE;
            default -> NameKind.VALUE;
        };
        NameInfo old = names.get(name);
        if (old != null && old.kind != kind) {
            String where = old.line == 0 ? "" : " (line " + old.line + ")";
            throw error("'" + name + "' is already " + old.kind.what + where + "; it cannot become " + kind.what);
        }
        names.put(name, new NameInfo(kind, lineNo));
    }

    private void checkNewName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw error("bad name '" + name + "' (a letter, then letters, digits or _)");
        }
        if (RESERVED.contains(name) || Errno.byName(name) >= 0) {
            throw error("'" + name + "' is a reserved word and cannot be a name");
        }
    }

    // ---------------------------------------------------------------- arguments

    private Arg parseArg(Op op, Op.Kind kind, String t) {
        return switch (kind) {
            case ADDR, VALUE -> expr(t, true);
            case LEN -> expr(t, false);
            case PROT -> prot(t);
            case MMAP_FLAGS -> flags(op, t, ScenarioText.MMAP_FLAGS, "MAP_");
            case MREMAP_FLAGS -> flags(op, t, ScenarioText.MREMAP_FLAGS, "MREMAP_");
            case MOVE_FLAGS -> flags(op, t, ScenarioText.MOVE_FLAGS, "UFFDIO_MOVE_MODE_");
            case COPY_FLAGS -> flags(op, t, ScenarioText.COPY_FLAGS, "UFFDIO_COPY_MODE_");
            case RAP_FLAGS -> flags(op, t, ScenarioText.RAP_FLAGS, "RAP_");
            case ADVICE -> advice(t);
            case FILE -> fileRef(t);
            case FILE_NAME -> {
                if (!NAME.matcher(t).matches()) {
                    throw error("bad file name '" + t + "' (a letter, then letters, digits or _)");
                }
                yield new Arg.Name(t);
            }
            case COUNT_OR_ALL -> t.equals("all") ? new Arg.All() : expr(t, false);
        };
    }

    /**
     * The kernel's spelling of a name, an alias (the language's addition): TOK without PREFIX in
     * lower case when TOK is PREFIX then upper-case letters, digits and '_' ({@code MAP_ANONYMOUS}
     * is {@code anonymous}); else TOK. The harness (vmsh.c kernel_spelling) reads them alike.
     */
    static String kernelSpelling(String tok, String prefix) {
        if (tok.length() > prefix.length() && tok.startsWith(prefix)
                && tok.substring(prefix.length()).matches("[A-Z0-9_]+")) {
            return tok.substring(prefix.length()).toLowerCase(java.util.Locale.ROOT);
        }
        return tok;
    }

    private Arg.Prot prot(String t) {
        if (t.equals("none")) {
            return new Arg.Prot(t, Mman.PROT_NONE);
        }
        if (t.startsWith("PROT_")) {
            int v = 0;
            for (String f : t.split("\\|", -1)) {
                v |= switch (kernelSpelling(f, "PROT_")) {
                    case "read" -> Mman.PROT_READ;
                    case "write" -> Mman.PROT_WRITE;
                    case "exec" -> Mman.PROT_EXEC;
                    case "none" -> Mman.PROT_NONE;
                    default -> throw error("bad protection '" + t + "' (PROT_READ, PROT_WRITE, PROT_EXEC or PROT_NONE"
                            + " joined by |, or none, or letters from rwx)");
                };
            }
            return new Arg.Prot(t, v);
        }
        int v = 0;
        for (char c : t.toCharArray()) {
            int bit = switch (c) {
                case 'r' -> Mman.PROT_READ;
                case 'w' -> Mman.PROT_WRITE;
                case 'x' -> Mman.PROT_EXEC;
                default -> throw error("bad protection '" + t + "' (none, or letters from rwx)");
            };
            if ((v & bit) != 0) {
                throw error("bad protection '" + t + "': '" + c + "' given twice");
            }
            v |= bit;
        }
        return new Arg.Prot(t, v);
    }

    private Arg.Flags flags(Op op, String t, Map<String, Integer> table, String prefix) {
        if (t.equals("0")) {
            return new Arg.Flags(t, 0);
        }
        int v = 0;
        Set<String> seen = new java.util.HashSet<>();
        for (String written : t.split("\\|", -1)) {
            String f = kernelSpelling(written, prefix);
            Integer bit = table.get(f);
            if (bit == null) {
                String what = f.isEmpty() ? "empty flag in '" + t + "'" : "unknown " + op.word() + " flag '" + f + "'";
                throw error(what + " (known: " + String.join(", ", table.keySet()) + ", or 0)");
            }
            if (!seen.add(f)) {
                throw error(op.word() + " flag '" + f + "' given twice");
            }
            v |= bit;
        }
        return new Arg.Flags(t, v);
    }

    private Arg.Advice advice(String t) {
        Integer v = ScenarioText.ADVICE.get(kernelSpelling(t, "MADV_"));
        if (v == null) {
            throw error("unknown advice '" + t + "' (known: " + String.join(", ", ScenarioText.ADVICE.keySet()) + ")");
        }
        return new Arg.Advice(t, v);
    }

    private Arg.Name fileRef(String t) {
        NameInfo ni = names.get(t);
        if (ni == null) {
            throw error("unknown file '" + t + "' (bind one with 'open NAME SIZE as " + t + "')");
        }
        if (ni.kind != NameKind.FILE) {
            throw error("'" + t + "' is " + ni.kind.what + ", not a file");
        }
        return new Arg.Name(t);
    }

    /** NAME-or-number followed by +SIZE / -SIZE terms. */
    private Expr expr(String t, boolean namesAllowed) {
        if (t.startsWith("-") || t.startsWith("+")) {
            throw error("bad value '" + t + "' (numbers are not signed)");
        }
        int k = 1;
        while (k < t.length() && t.charAt(k) != '+' && t.charAt(k) != '-') {
            k++;
        }
        String base = t.substring(0, k);
        String name = null;
        long value = 0;
        if (base.isEmpty()) {
            throw error("bad value '" + t + "'");
        }
        if (Character.isLetter(base.charAt(0))) {
            if (!NAME.matcher(base).matches()) {
                throw error("bad value '" + t + "'");
            }
            if (!namesAllowed) {
                throw error("'" + t + "' must be a size (a number with an optional unit p, K, M or G), not a name");
            }
            NameInfo ni = names.get(base);
            if (ni == null) {
                throw error("unknown name '" + base + "'");
            }
            if (ni.kind != NameKind.VALUE) {
                throw error("'" + base + "' is " + ni.kind.what + ", not a value");
            }
            name = base;
        } else {
            value = constant(base, "");
        }
        while (k < t.length()) {
            char sign = t.charAt(k);
            int e = k + 1;
            while (e < t.length() && t.charAt(e) != '+' && t.charAt(e) != '-') {
                e++;
            }
            String term = t.substring(k + 1, e);
            if (term.isEmpty()) {
                throw error("bad value '" + t + "': missing size after '" + sign + "'");
            }
            if (!NUMBER.matcher(term).matches()) {
                throw error("bad value '" + t + "': '" + term + "' is not a size");
            }
            long v = constant(term, "");
            try {
                value = sign == '+' ? Math.addExact(value, v) : Math.subtractExact(value, v);
            } catch (ArithmeticException ex) {
                throw error("value '" + t + "' is too large");
            }
            k = e;
        }
        return new Expr(t, name, value);
    }

    /** A number (decimal or hex, up to 64 bits unsigned) with an optional unit p, K, M, G. */
    private long constant(String t, String what) {
        Matcher m = NUMBER.matcher(t);
        if (!m.matches()) {
            throw error("bad " + (what.isEmpty() ? "number" : what) + " '" + t
                    + "' (a decimal or 0x hex number, with an optional unit p, K, M or G)");
        }
        String digits = m.group(1);
        long v;
        try {
            v = digits.length() > 2 && (digits.charAt(1) == 'x' || digits.charAt(1) == 'X')
                    ? Long.parseUnsignedLong(digits.substring(2), 16)
                    : Long.parseUnsignedLong(digits);
        } catch (NumberFormatException e) {
            throw error("number '" + t + "' does not fit in 64 bits");
        }
        long unit = switch (m.group(2)) {
            case "p" -> PAGE_SIZE;
            case "K" -> 1L << 10;
            case "M" -> 1L << 20;
            case "G" -> 1L << 30;
            default -> 1;
        };
        if (unit != 1) {
            try {
                if (v < 0) {
                    throw new ArithmeticException();
                }
                v = Math.multiplyExact(v, unit);
            } catch (ArithmeticException e) {
                throw error("size '" + t + "' is too large");
            }
        }
        return v;
    }

    // ---------------------------------------------------------------- results

    private Expectation parseResult(Op op, String t, String perms) {
        Op.Result r = op.result();
        if (r == Op.Result.VMA) {
            return parseVmaResult(t, perms);
        }
        String bad = op.word() + " results are " + allowedResults(r) + ", not '" + t + "'";
        if (t.equals("ok")) {
            return new Expectation.Ok();
        }
        if (t.contains("..")) {
            throw error(bad);
        }
        int errno = Errno.byName(t);
        if (errno > 0) {
            if (r == Op.Result.ACCESS || r == Op.Result.VALUE || r == Op.Result.NONE) {
                throw error(bad);
            }
            return new Expectation.Err(t, errno);
        }
        Expectation fault = parseFaultResult(op, t, bad);
        if (fault != null) {
            return fault;
        }
        if (r == Op.Result.TASK || r == Op.Result.FILE || r == Op.Result.NONE || t.equals("none")) {
            throw error(bad);
        }
        if (ERRNO_LIKE.matcher(t).matches() && !names.containsKey(t)) {
            throw error("unknown errno name '" + t + "'");
        }
        return new Expectation.Value(expr(t, true));
    }

    /** /proc/PID/maps' range, {@code 7f00a000-7f00c000}: hex without 0x, a dash (an addition to the language). */
    private static final java.util.regex.Pattern MAPS_RANGE = java.util.regex.Pattern.compile("([0-9a-f]+)-([0-9a-f]+)");

    /** A vma result: {@code none}, or START..END PERMS, or START-END PERMS as /proc/PID/maps prints it. */
    private Expectation parseVmaResult(String t, String perms) {
        if (t.equals("none")) {
            return new Expectation.NoVma();
        }
        java.util.regex.Matcher maps = MAPS_RANGE.matcher(t);
        if (maps.matches()) {
            t = "0x" + maps.group(1) + "..0x" + maps.group(2);
        }
        int dots = t.indexOf("..");
        if (dots < 0) {
            throw error("vma results are START..END PERMS or none, not '" + t + "'");
        }
        Expr start = expr(t.substring(0, dots), true);
        Expr end = expr(t.substring(dots + 2), true);
        if (!PERMS.matcher(perms).matches()) {
            throw error("bad vma perms '" + perms + "' (as /proc/PID/maps shows them, e.g. rw-p, r--s)");
        }
        return new Expectation.Vma(start, end, perms);
    }

    /** What results other than a vma's the op's result kind allows, for the error message. */
    private static String allowedResults(Op.Result r) {
        return switch (r) {
            case ADDRESS, STATUS, COUNT -> "ok, an errno name or a value";
            case ACCESS -> "ok, SEGV, BUS or a value";
            case VALUE -> "ok, SEGV, BUS, MIXED or a value";
            case TASK, FILE -> "ok or an errno name";
            case NONE -> "ok";
            default -> throw new AssertionError(r);
        };
    }

    /** KILLED (any task op), SEGV and BUS (accesses), MIXED (read); null for any other word. */
    private Expectation parseFaultResult(Op op, String t, String bad) {
        Op.Result r = op.result();
        if (t.equals("KILLED")) {
            // rmaplab's extension: the OOM killer ended the task during the call.
            if (op.isGlobal()) {
                throw error(bad);
            }
            return new Expectation.Fault(t, Syscalls.ACCESS_KILLED);
        }
        if (t.equals("SEGV") || t.equals("BUS")) {
            if (r != Op.Result.ACCESS && r != Op.Result.VALUE) {
                throw error(bad);
            }
            return new Expectation.Fault(t, t.equals("SEGV") ? Syscalls.ACCESS_SEGV : Syscalls.ACCESS_BUS);
        }
        if (t.equals("MIXED")) {
            if (r != Op.Result.VALUE) {
                throw error(bad);
            }
            return new Expectation.Mixed();
        }
        return null;
    }

    // ---------------------------------------------------------------- helpers

}

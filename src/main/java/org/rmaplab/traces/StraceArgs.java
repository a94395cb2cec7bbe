package org.rmaplab.traces;

import java.util.ArrayList;
import java.util.List;

import org.rmaplab.traces.StraceParser.Call;

/**
 * The arguments of one traced call as strace printed them, split at the top-level commas, and
 * read as numbers, protections, strings and flag sets; what cannot be read is bad input, a
 * {@link TraceError} at the call's line.
 */
final class StraceArgs {
    private final String file;
    private final Call call;
    private final String[] a;

    /** The arguments of C, from trace FILE (which names it in messages). */
    StraceArgs(String file, Call c) {
        this.file = file;
        this.call = c;
        this.a = split(c.args());
    }

    /** Argument I as strace printed it. */
    String get(int i) {
        if (i >= a.length) {
            throw error(call.name() + " needs " + (i + 1) + " arguments, the trace shows " + a.length);
        }
        return a[i];
    }

    int size() {
        return a.length;
    }

    /** Checks that the call shows at least N arguments. */
    void need(int n) {
        if (a.length < n) {
            throw error(call.name() + " needs " + n + " arguments, the trace shows " + a.length);
        }
    }

    /** Argument I as a number. */
    long num(int i) {
        return num(get(i));
    }

    /** S as a number: decimal, 0x hex, NULL, or a descriptor with its {@code -y} path. */
    long num(String s) {
        String t = s.strip();
        int lt = t.indexOf('<'); // -y: 3</path>
        if (lt > 0) {
            t = t.substring(0, lt);
        }
        try {
            if (t.equals("NULL")) {
                return 0;
            }
            if (t.startsWith("0x")) {
                return Long.parseUnsignedLong(t.substring(2), 16);
            }
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw error(call.name() + ": '" + StraceParser.abbreviate(s) + "' is not a number");
        }
    }

    /** Argument I as a protection: PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4 (PROT_SEM, PROT_GROWS* dropped). */
    int prot(int i) {
        int p = 0;
        for (String f : a[i].split("\\|")) {
            switch (f) {
                case "PROT_NONE", "0" -> { }
                case "PROT_READ" -> p |= 1;
                case "PROT_WRITE" -> p |= 2;
                case "PROT_EXEC" -> p |= 4;
                case "PROT_SEM", "PROT_GROWSDOWN", "PROT_GROWSUP" -> { }
                default -> throw error(call.name() + ": unknown protection " + f);
            }
        }
        return p;
    }

    TraceError error(String what) {
        return new TraceError(file, call.line(), what);
    }

    /** The text of an strace string ("..." with \" and \\ escaped; a truncated one keeps its "..."). */
    static String unquote(String s) {
        String t = s.strip();
        if (!t.startsWith("\"")) {
            return null;
        }
        boolean truncated = t.endsWith("\"...");
        int end = truncated ? t.length() - 4 : t.length() - 1;
        if (end < 1) {
            return null;
        }
        String body = t.substring(1, end).replace("\\\"", "\"").replace("\\\\", "\\");
        return truncated ? body + "..." : body;
    }

    /** Whether flag set FLAGS ({@code A|B|C}) holds F. */
    static boolean hasFlag(String flags, String f) {
        return ("|" + flags.strip() + "|").contains("|" + f + "|");
    }

    /** Top-level comma-separated arguments (brackets, braces and strings kept whole). */
    static String[] split(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean str = false;
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (str) {
                cur.append(ch);
                if (ch == '\\' && i + 1 < s.length()) {
                    cur.append(s.charAt(++i));
                } else if (ch == '"') {
                    str = false;
                }
                continue;
            }
            switch (ch) {
                case '"' -> {
                    str = true;
                    cur.append(ch);
                }
                case '[', '{', '(' -> {
                    depth++;
                    cur.append(ch);
                }
                case ']', '}', ')' -> {
                    depth--;
                    cur.append(ch);
                }
                case ',' -> {
                    if (depth == 0) {
                        out.add(cur.toString().strip());
                        cur.setLength(0);
                    } else {
                        cur.append(ch);
                    }
                }
                default -> cur.append(ch);
            }
        }
        if (!cur.toString().isBlank() || !out.isEmpty()) {
            out.add(cur.toString().strip());
        }
        return out.toArray(new String[0]);
    }
}

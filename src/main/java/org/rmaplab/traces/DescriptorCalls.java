package org.rmaplab.traces;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rmaplab.traces.StraceParser.Call;

/**
 * The calls that change a task's {@link DescriptorTable}: open, openat, creat, memfd_create,
 * close, close_range, dup, dup2, dup3, fcntl F_DUPFD / F_DUPFD_CLOEXEC / F_SETFD; and the
 * st_size of regular files that the stat calls print (fstat, newfstatat, statx, stat, lstat),
 * told to {@link ModelFiles}. A path is the string the trace shows (a relative one is not resolved
 * against the working directory, which strace does not show; one relative to a traced directory
 * descriptor is joined to its path); {@code -y} decorations, where present, win. Close-on-exec
 * is what the trace shows (O_CLOEXEC, FD_CLOEXEC, MFD_CLOEXEC, F_DUPFD_CLOEXEC,
 * CLOSE_RANGE_CLOEXEC). None of them writes a line of the scenario.
 */
final class DescriptorCalls {
    private static final Pattern ST_SIZE = Pattern.compile("\\bstx?_size=(\\d+)");
    private static final Pattern ST_REG = Pattern.compile("\\bstx?_mode=S_IFREG\\b");

    private final Conversion cx;
    private int memfds;

    DescriptorCalls(Conversion cx) {
        this.cx = cx;
    }

    /** Applies C, a successful descriptor or stat call of task P, to P's table (a failed one changes nothing). */
    void convert(Task p, Call c) {
        if (c.failed() || c.noReturn()) {
            return;
        }
        StraceArgs a = cx.args(c);
        int r = (int) c.result();
        switch (c.name()) {
            case "open", "creat" -> {
                a.need(1);
                p.fds.opened(r, p.fds.path("AT_FDCWD", a.get(0)),
                        c.name().equals("creat") || a.size() > 1 && StraceArgs.hasFlag(a.get(1), "O_CLOEXEC"));
            }
            case "openat" -> {
                a.need(3);
                p.fds.opened(r, p.fds.path(a.get(0), a.get(1)), StraceArgs.hasFlag(a.get(2), "O_CLOEXEC"));
            }
            case "memfd_create" -> {
                a.need(2);
                // Every memfd is a new file, whatever its name.
                p.fds.opened(r, "memfd:" + StraceArgs.unquote(a.get(0)) + "#" + (++memfds),
                        StraceArgs.hasFlag(a.get(1), "MFD_CLOEXEC"));
            }
            case "close" -> {
                a.need(1);
                p.fds.close((int) a.num(0));
            }
            case "close_range" -> closeRange(p, a);
            case "dup" -> p.fds.dup(a.get(0), r, false);
            case "dup2" -> {
                a.need(2);
                if (a.num(0) != r) {
                    p.fds.dup(a.get(0), r, false);
                }
            }
            case "dup3" -> {
                a.need(3);
                p.fds.dup(a.get(0), r, StraceArgs.hasFlag(a.get(2), "O_CLOEXEC"));
            }
            case "fcntl", "fcntl64" -> fcntl(p.fds, a, r);
            default -> stat(p, c, a);
        }
    }

    /** close_range(LO, HI, FLAGS): CLOSE_RANGE_UNSHARE gives the task a table of its own first. */
    private static void closeRange(Task p, StraceArgs a) {
        a.need(3);
        long lo = a.num(0);
        long hi = a.num(1);
        if (StraceArgs.hasFlag(a.get(2), "CLOSE_RANGE_UNSHARE")) {
            p.fds = p.fds.copy();
        }
        p.fds.closeRange(lo, hi, StraceArgs.hasFlag(a.get(2), "CLOSE_RANGE_CLOEXEC"));
    }

    /** fcntl F_DUPFD, F_DUPFD_CLOEXEC (a new descriptor R) and F_SETFD; other commands change nothing. */
    private static void fcntl(DescriptorTable t, StraceArgs a, int r) {
        a.need(2);
        int fd = (int) a.num(0);
        switch (a.get(1)) {
            case "F_DUPFD" -> t.dup(a.get(0), r, false);
            case "F_DUPFD_CLOEXEC" -> t.dup(a.get(0), r, true);
            case "F_SETFD" -> t.setCloexec(fd, a.size() > 2 && StraceArgs.hasFlag(a.get(2), "FD_CLOEXEC"));
            default -> { }
        }
    }

    /** fstat, newfstatat, statx, stat, lstat: the st_size of a regular file, by its path. */
    private void stat(Task p, Call c, StraceArgs a) {
        Matcher size = ST_SIZE.matcher(c.args());
        if (!size.find() || !ST_REG.matcher(c.args()).find()) {
            return;
        }
        String path;
        switch (c.name()) {
            case "fstat", "fstat64" -> path = p.fds.pathOf(a.get(0));
            case "stat", "stat64", "lstat", "lstat64" -> path = p.fds.path("AT_FDCWD", a.get(0));
            default -> { // newfstatat, fstatat64, statx: DIRFD, PATH, ... (AT_EMPTY_PATH: "" names DIRFD)
                a.need(2);
                path = a.get(1).equals("\"\"") ? p.fds.pathOf(a.get(0)) : p.fds.path(a.get(0), a.get(1));
            }
        }
        if (path != null) {
            cx.files().statted(path, Long.parseLong(size.group(1)));
        }
    }
}

package org.rmaplab.traces;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * A task's file descriptor table as the trace shows it: what each descriptor refers to (the path
 * it was opened by) and its close-on-exec flag. fork, and clone without CLONE_FILES, give the
 * child a copy; CLONE_FILES (threads) shares the table ({@link #forChild}); a successful execve
 * unshares it and closes the descriptors marked close-on-exec ({@link #afterExec}). A descriptor
 * the trace never showed opened (0, 1, 2, or one made by a call not traced) names no file, and a
 * descriptor whose flags the trace never shows is kept across execve.
 */
final class DescriptorTable {
    /** An open file descriptor: the path it was opened by, and its close-on-exec flag. */
    private record Fd(String path, boolean cloexec) {
        Fd withCloexec(boolean c) {
            return new Fd(path, c);
        }
    }

    private final Map<Integer, Fd> fds;

    DescriptorTable() {
        this(new HashMap<>());
    }

    private DescriptorTable(Map<Integer, Fd> fds) {
        this.fds = fds;
    }

    /** A copy (dup_fd). */
    DescriptorTable copy() {
        return new DescriptorTable(new HashMap<>(fds));
    }

    /** copy_files(): CLONE_FILES shares the table, else the child gets a copy (dup_fd). */
    DescriptorTable forChild(boolean cloneFiles) {
        return cloneFiles ? this : copy();
    }

    /**
     * unshare_files(), then do_close_on_exec(): the new image keeps the descriptors without
     * close-on-exec, in a table of its own.
     */
    DescriptorTable afterExec() {
        Map<Integer, Fd> kept = new HashMap<>();
        fds.forEach((fd, f) -> {
            if (!f.cloexec()) {
                kept.put(fd, f);
            }
        });
        return new DescriptorTable(kept);
    }

    /** FD now refers to PATH (null: a file the trace does not name, so FD names none). */
    void opened(int fd, String path, boolean cloexec) {
        if (path == null) {
            fds.remove(fd);
        } else {
            fds.put(fd, new Fd(path, cloexec));
        }
    }

    /** FD is a duplicate of descriptor argument OLD_ARG (dup, dup2, dup3, F_DUPFD*). */
    void dup(String oldArg, int fd, boolean cloexec) {
        String path = pathOf(oldArg);
        opened(fd, path, cloexec);
    }

    void close(int fd) {
        fds.remove(fd);
    }

    /** close_range(LO, HI, ...): closes the descriptors in [LO, HI], or with CLOEXEC marks them close-on-exec. */
    void closeRange(long lo, long hi, boolean cloexec) {
        for (Integer fd : new ArrayList<>(fds.keySet())) {
            if (fd >= lo && fd <= hi) {
                if (cloexec) {
                    fds.put(fd, fds.get(fd).withCloexec(true));
                } else {
                    fds.remove(fd);
                }
            }
        }
    }

    /** F_SETFD: FD's close-on-exec flag, if the table knows FD. */
    void setCloexec(int fd, boolean cloexec) {
        Fd f = fds.get(fd);
        if (f != null) {
            fds.put(fd, f.withCloexec(cloexec));
        }
    }

    /** The path descriptor argument S names: its {@code -y} decoration, else this table. */
    String pathOf(String s) {
        String t = s.strip();
        int lt = t.indexOf('<');
        if (lt > 0 && t.endsWith(">")) {
            return t.substring(lt + 1, t.length() - 1);
        }
        try {
            Fd f = fds.get(Integer.parseInt(lt > 0 ? t.substring(0, lt) : t));
            return f == null ? null : f.path();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The path of string argument NAME relative to directory descriptor DIRFD, or null if unknown. */
    String path(String dirfd, String name) {
        String n = StraceArgs.unquote(name);
        if (n == null) {
            return null;
        }
        if (n.startsWith("/") || dirfd.strip().startsWith("AT_FDCWD")) {
            return n;
        }
        String dir = pathOf(dirfd);
        return dir == null ? null : dir + "/" + n;
    }
}

package org.rmaplab.mm;

/**
 * include/uapi/asm-generic/errno-base.h and errno.h: Linux errno values. System calls of the model return
 * {@code -errno} on failure, as the kernel does.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ENOSYS = 38;
    public static final int EBADF = 9;
    public static final int EOVERFLOW = 75;
    public static final int EOPNOTSUPP = 95;

    private static final String[] NAMES = new String[128];
    static {
        NAMES[EPERM] = "EPERM";
        NAMES[ENOENT] = "ENOENT";
        NAMES[ESRCH] = "ESRCH";
        NAMES[EINTR] = "EINTR";
        NAMES[EAGAIN] = "EAGAIN";
        NAMES[ENOMEM] = "ENOMEM";
        NAMES[EACCES] = "EACCES";
        NAMES[EFAULT] = "EFAULT";
        NAMES[EBUSY] = "EBUSY";
        NAMES[EEXIST] = "EEXIST";
        NAMES[EINVAL] = "EINVAL";
        NAMES[EFBIG] = "EFBIG";
        NAMES[ENOSPC] = "ENOSPC";
        NAMES[ENOSYS] = "ENOSYS";
        NAMES[EBADF] = "EBADF";
        NAMES[EOVERFLOW] = "EOVERFLOW";
        NAMES[EOPNOTSUPP] = "EOPNOTSUPP";
    }

    /** The symbolic name of a positive errno, e.g. {@code name(22) = "EINVAL"}. */
    public static String name(int errno) {
        if (errno > 0 && errno < NAMES.length && NAMES[errno] != null) {
            return NAMES[errno];
        }
        return "E" + errno;
    }

    /** The positive errno for a symbolic name, or -1 if the name is unknown. */
    public static int byName(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (name.equals(NAMES[i])) {
                return i;
            }
        }
        return -1;
    }

    /** True if a system call's return value is an error ({@code -4095 <= ret < 0}, IS_ERR_VALUE). */
    public static boolean isError(long ret) {
        return ret < 0 && ret >= -4095;
    }
}

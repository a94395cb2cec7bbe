package org.rmaplab.harness;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The running kernel's version, as far as the harness cares. */
public final class KernelVersion {
    private KernelVersion() {}

    /** UFFDIO_MOVE (the harness's uffd_move) came with Linux 6.8. */
    public static final int MIN_MAJOR = 6;
    public static final int MIN_MINOR = 8;

    /**
     * Why the kernel harness cannot run here, or null if it can: not Linux, or Linux older than 6.8.
     * (The corpus states 6.18's behaviour; see docs/kernel-notes.md for what changed in 6.17.)
     */
    public static String unsupportedReason() {
        return unsupportedReason(System.getProperty("os.name", ""), System.getProperty("os.version", ""));
    }

    static String unsupportedReason(String osName, String osVersion) {
        if (!osName.equals("Linux")) {
            return "the kernel harness needs Linux, this is " + osName;
        }
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)").matcher(osVersion);
        if (!m.lookingAt()) {
            return "cannot tell the Linux version from '" + osVersion + "'";
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        if (major < MIN_MAJOR || (major == MIN_MAJOR && minor < MIN_MINOR)) {
            return "the kernel harness needs Linux >= " + MIN_MAJOR + "." + MIN_MINOR + " (UFFDIO_MOVE), this is "
                    + osVersion;
        }
        return null;
    }
}

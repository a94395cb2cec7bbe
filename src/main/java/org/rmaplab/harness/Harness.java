package org.rmaplab.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The kernel harness ({@code harness/vmsh.c}, shipped in the jar as the resource
 * {@value #RESOURCE}), compiled with the machine's C compiler on first use.
 *
 * <ul>
 *   <li>The compiler is {@code $CC} if set, else {@code cc}, found on {@code PATH}. Without one,
 *       {@link #obtain} throws {@link Unavailable} (the CLI prints its one-line message and exits 2).
 *   <li>The binary is cached as {@code vmsh-HASH} in {@code $RMAPLAB_CACHE}, else
 *       {@code $XDG_CACHE_HOME/rmaplab}, else {@code ~/.cache/rmaplab}; HASH is the SHA-256 of the
 *       source and the compiler flags, so an edited harness is rebuilt and an unchanged one never is.
 *       It is compiled into a temporary file and renamed into place, so that a concurrent or
 *       interrupted build never leaves a partial binary.
 *   <li>It is linked {@code -static} (a dynamically linked task has ld.so's anonymous mappings right
 *       where {@code mmap 0} places scenario mappings). If static linking fails (no static libc), it
 *       is linked dynamically and {@link #warning()} says so; a marker file next to the binary keeps
 *       the warning for later runs.
 * </ul>
 */
public final class Harness {
    /** The harness source inside the jar. */
    public static final String RESOURCE = "/harness/vmsh.c";

    static final List<String> FLAGS = List.of("-std=gnu11", "-O2", "-w");
    private static final long COMPILE_TIMEOUT_S = 300;

    private final Path binary;
    private final String warning;

    private Harness(Path binary, String warning) {
        this.binary = binary;
        this.warning = warning;
    }

    /** The compiled harness. */
    public Path binary() {
        return binary;
    }

    /** A warning to show the user whenever the harness is used (not statically linked), or null. */
    public String warning() {
        return warning;
    }

    /** The harness is not usable here: no compiler, or the source does not compile. One line. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message);
        }
    }

    /** The harness for this machine, compiled into the default cache directory if needed. */
    public static Harness obtain() throws Unavailable {
        return obtain(System.getenv(), cacheDir(System.getenv()));
    }

    /** As {@link #obtain()}, with ENV for {@code CC} and {@code PATH}, caching in CACHE. */
    public static Harness obtain(Map<String, String> env, Path cache) throws Unavailable {
        byte[] source = source();
        String key = hash(source);
        Path bin = cache.resolve("vmsh-" + key);
        Path dynamicMarker = cache.resolve("vmsh-" + key + ".dynamic");
        if (Files.isExecutable(bin)) {
            return new Harness(bin, Files.exists(dynamicMarker) ? dynamicWarning(bin) : null);
        }
        Path cc = compiler(env);
        try {
            Files.createDirectories(cache);
            Path src = cache.resolve("vmsh-" + key + ".c");
            if (!Files.exists(src)) {
                Path tmp = Files.createTempFile(cache, "vmsh-", ".c.tmp");
                Files.write(tmp, source);
                move(tmp, src);
            }
            Path tmp = Files.createTempFile(cache, "vmsh-", ".tmp");
            try {
                Result stat = compile(cc, src, tmp, true);
                boolean dynamic = false;
                if (stat.code != 0) {
                    Result dyn = compile(cc, src, tmp, false);
                    if (dyn.code != 0) {
                        throw new Unavailable("cannot compile the kernel harness with " + cc + ": "
                                + firstLine(dyn.output));
                    }
                    dynamic = true;
                }
                if (dynamic) {
                    Files.writeString(dynamicMarker, "static linking failed:\n" + stat.output);
                } else {
                    Files.deleteIfExists(dynamicMarker);
                }
                move(tmp, bin);
                return new Harness(bin, dynamic ? dynamicWarning(bin) : null);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new Unavailable("cannot build the kernel harness in " + cache + ": " + e.getMessage());
        }
    }

    private static String dynamicWarning(Path bin) {
        return "warning: the kernel harness " + bin + " could not be linked statically (no static libc?)"
                + " and is linked dynamically: ld.so's own mappings sit where `mmap 0` places scenario"
                + " mappings and may merge with them";
    }

    /**
     * $RMAPLAB_CACHE, else $XDG_CACHE_HOME/rmaplab, else $HOME/.cache/rmaplab, else Java's
     * user.home (which comes from the password file: for a user like nobody, {@code /nonexistent}).
     */
    public static Path cacheDir(Map<String, String> env) {
        String own = env.get("RMAPLAB_CACHE");
        if (own != null && !own.isEmpty()) {
            return Path.of(own);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty()) {
            return Path.of(xdg, "rmaplab");
        }
        String home = env.get("HOME");
        if (home != null && !home.isEmpty()) {
            return Path.of(home, ".cache", "rmaplab");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "rmaplab");
    }

    /** $CC (a path, or a name looked up on PATH), else cc on PATH. */
    static Path compiler(Map<String, String> env) throws Unavailable {
        String cc = env.getOrDefault("CC", "");
        String name = cc.isBlank() ? "cc" : cc.strip();
        if (name.contains("/")) {
            Path p = Path.of(name);
            if (Files.isExecutable(p)) {
                return p;
            }
        } else {
            String path = env.getOrDefault("PATH", "");
            for (String dir : path.split(":")) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                    return p;
                }
            }
        }
        String which = cc.isBlank() ? "'cc' on PATH" : "CC='" + cc + "'";
        throw new Unavailable("no C compiler found (" + which + "): the kernel harness needs one"
                + " (install gcc, or set CC)");
    }

    private record Result(int code, String output) {}

    private static Result compile(Path cc, Path src, Path out, boolean statically) throws IOException, Unavailable {
        List<String> cmd = new ArrayList<>();
        cmd.add(cc.toString());
        cmd.addAll(FLAGS);
        if (statically) {
            cmd.add("-static");
        }
        cmd.add("-o");
        cmd.add(out.toString());
        cmd.add(src.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] output;
        try (InputStream in = p.getInputStream()) {
            output = in.readAllBytes();
        }
        try {
            if (!p.waitFor(COMPILE_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new Unavailable("compiling the kernel harness with " + cc + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new Unavailable("interrupted while compiling the kernel harness");
        }
        return new Result(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String firstLine(String s) {
        for (String l : s.split("\\R")) {
            if (!l.isBlank()) {
                return l.strip();
            }
        }
        return "(no output)";
    }

    static byte[] source() throws Unavailable {
        try (InputStream in = Harness.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new Unavailable("the kernel harness source " + RESOURCE + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new Unavailable("cannot read the kernel harness source: " + e.getMessage());
        }
    }

    /** SHA-256 of the source and the flags, 16 hex digits. */
    static String hash(byte[] source) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(source);
            md.update(String.join(" ", FLAGS).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}

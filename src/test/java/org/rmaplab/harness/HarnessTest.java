package org.rmaplab.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HarnessTest {

    @TempDir
    Path dir;

    @Test
    void noCompilerIsOneClearLine() {
        Harness.Unavailable e = assertThrows(Harness.Unavailable.class,
                () -> Harness.obtain(Map.of("PATH", dir.toString()), dir.resolve("cache")));
        assertEquals("no C compiler found ('cc' on PATH): the kernel harness needs one (install gcc, or set CC)",
                e.getMessage());
        e = assertThrows(Harness.Unavailable.class,
                () -> Harness.obtain(Map.of("CC", "/nonexistent/cc"), dir.resolve("cache")));
        assertEquals("no C compiler found (CC='/nonexistent/cc'): the kernel harness needs one"
                + " (install gcc, or set CC)", e.getMessage());
        assertTrue(Files.notExists(dir.resolve("cache")), "nothing written without a compiler");
    }

    @Test
    void aCachedBinaryNeedsNoCompiler() throws Exception {
        String key = Harness.hash(Harness.source());
        Path bin = dir.resolve("vmsh-" + key);
        Files.writeString(bin, "#!/bin/sh\n");
        bin.toFile().setExecutable(true);
        Harness h = Harness.obtain(Map.of("PATH", ""), dir);
        assertEquals(bin, h.binary());
        assertNull(h.warning());
        Files.writeString(dir.resolve("vmsh-" + key + ".dynamic"), "static linking failed");
        assertTrue(Harness.obtain(Map.of("PATH", ""), dir).warning().contains("could not be linked statically"));
    }

    @Test
    void theCacheKeyIsTheSourceHash() throws Exception {
        byte[] src = Harness.source();
        assertEquals(Harness.hash(src), Harness.hash(src.clone()));
        byte[] edited = src.clone();
        edited[edited.length - 2] ^= 1;
        assertTrue(!Harness.hash(src).equals(Harness.hash(edited)));
        assertEquals(16, Harness.hash(src).length());
    }

    @Test
    void cacheDirectory() {
        assertEquals(Path.of("/x"), Harness.cacheDir(Map.of("RMAPLAB_CACHE", "/x", "XDG_CACHE_HOME", "/y")));
        assertEquals(Path.of("/y/rmaplab"), Harness.cacheDir(Map.of("XDG_CACHE_HOME", "/y", "HOME", "/h")));
        assertEquals(Path.of("/h/.cache/rmaplab"), Harness.cacheDir(Map.of("HOME", "/h")));
        assertEquals(Path.of(System.getProperty("user.home"), ".cache", "rmaplab"), Harness.cacheDir(Map.of()));
    }

    @Test
    void kernelVersions() {
        assertNull(KernelVersion.unsupportedReason("Linux", "6.18.44-fc-v669"));
        assertNull(KernelVersion.unsupportedReason("Linux", "6.8.0"));
        assertNull(KernelVersion.unsupportedReason("Linux", "7.0"));
        assertEquals("the kernel harness needs Linux >= 6.8 (UFFDIO_MOVE), this is 6.7.12",
                KernelVersion.unsupportedReason("Linux", "6.7.12"));
        assertEquals("the kernel harness needs Linux >= 6.8 (UFFDIO_MOVE), this is 5.15.0-91-generic",
                KernelVersion.unsupportedReason("Linux", "5.15.0-91-generic"));
        assertEquals("the kernel harness needs Linux, this is Mac OS X",
                KernelVersion.unsupportedReason("Mac OS X", "14.1"));
    }
}

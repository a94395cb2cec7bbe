package org.rmaplab.report;

import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Machine;

/**
 * Sums, over the samples taken after every system call, of anonymous pages mapped and mapped
 * once, and the same of file (page-cache) pages.
 */
final class MappedOnce {
    long mappedSum;
    long onceSum;
    long mappedPeak;
    long fileSum;
    long fileOnceSum;
    long filePeak;
    long calls;

    /** Counts the mapped frames of K now. */
    void sample(Machine k) {
        Frames f = k.frames();
        long mapped = 0;
        long once = 0;
        long file = 0;
        long fileOnce = 0;
        for (int pfn = 0, n = f.nrFrames(); pfn < n; pfn++) {
            if (f.mapcount[pfn] <= 0) {
                continue;
            }
            if ((f.flags[pfn] & Frames.PG_ANON) != 0) {
                mapped++;
                once += f.mapcount[pfn] == 1 ? 1 : 0;
            } else {
                file++;
                fileOnce += f.mapcount[pfn] == 1 ? 1 : 0;
            }
        }
        mappedSum += mapped;
        onceSum += once;
        mappedPeak = Math.max(mappedPeak, mapped);
        fileSum += file;
        fileOnceSum += fileOnce;
        filePeak = Math.max(filePeak, file);
        calls++;
    }

    /** Anonymous pages mapped once / anonymous pages mapped, over every sample. */
    double anonShare() {
        return (double) onceSum / Math.max(1, mappedSum);
    }

    /** File pages mapped once / file pages mapped, over every sample. */
    double fileShare() {
        return (double) fileOnceSum / Math.max(1, fileSum);
    }
}

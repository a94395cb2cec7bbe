package org.rmaplab.report;

import java.util.List;

/** The published figures the model does not reproduce, and why. */
final class NotReproducedFinding implements Finding {
    @Override
    public void write(Markdown md, List<String> designs) {
        md.text("\n");
        md.heading("Not reproduced yet");
        md.text("- Timings (Morton's 10% off kernel compiles with pte_chain arrays; UFFDIO_MOVE's 40% off a "
                + "compaction thread, UFFDIO_COPY's 20% lead when pages are allocated anyway): the model counts "
                + "work, it does not time it.\n");
        md.text("- Bligh's 2004 profile (page_add_rmap -57%, page_remove_rmap -35%): compared above in call "
                + "counts on a build recorded with its real page faults (perf make-gcc), of which only the disappearance "
                + "of pte_chain allocation reproduces: the percentages are of profile time, which the model does not "
                + "measure, and the trace is a small gcc build of today's programs, not a 2004 kernel build.\n");
    }
}

package org.rmaplab.report;

import java.util.List;

/** One section of docs/findings.md: a published figure and what the model gives for it. */
interface Finding {
    /** Runs what the section needs and writes it to MD; DESIGNS are the registered designs in order. */
    void write(Markdown md, List<String> designs);
}

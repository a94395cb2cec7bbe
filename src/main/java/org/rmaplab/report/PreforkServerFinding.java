package org.rmaplab.report;

import static org.rmaplab.report.Findings.params;
import static org.rmaplab.report.Findings.run;

import java.util.List;
import java.util.Map;

/** rmap operations, bytes and walks per design on a preforking server. */
final class PreforkServerFinding implements Finding {
    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("rmap operations per design on a preforking server");
        md.paragraph("`prefork-server` (defaults), x86_64. Bligh's 2004 profile is compared on a build in the next "
                + "section.");
        md.header(1, List.of("design", "rmap_ops", "rmap_bytes_peak", "walks", "walk_vmas_visited"));
        for (String d : designs) {
            Map<String, String> row = run("prefork-server", params(), d, "x86_64");
            md.row(d, row.get("rmap_ops"), row.get("rmap_bytes_peak"), row.get("walks"), row.get("walk_vmas_visited"));
        }
        md.text("\n");
    }
}

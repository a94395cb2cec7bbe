package org.rmaplab.traces;

import org.rmaplab.traces.StraceParser.Call;
import org.rmaplab.traces.TraceConverter.Options;

/**
 * What the parts of one conversion share: the trace's FILE name (for messages), the options, the
 * scenario being written, the names bound so far, the model files, the accesses and the
 * footprint (the machine a perf trace needs).
 */
record Conversion(String file, Options opt, ScenarioWriter out, Anchors anchors, ModelFiles files,
        Accesses accesses, Footprint footprint) {
    /** A conversion of trace FILE with OPT, nothing written yet; the scenario's lines go to BODY. */
    static Conversion start(String file, Options opt, Appendable body) {
        ScenarioWriter out = new ScenarioWriter(body);
        ModelFiles files = new ModelFiles(out);
        return new Conversion(file, opt, out, new Anchors(), files, new Accesses(opt, out, files), new Footprint());
    }

    /** The arguments of C. */
    StraceArgs args(Call c) {
        return new StraceArgs(file, c);
    }

    TraceError error(Call c, String what) {
        return new TraceError(file, c.line(), what);
    }
}

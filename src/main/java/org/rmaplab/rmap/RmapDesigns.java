package org.rmaplab.rmap;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.rmaplab.mm.RmapDesign;
import org.rmaplab.rmap.anonmm.AnonMmDesign;
import org.rmaplab.rmap.anonvma.AnonVmaDesign;
import org.rmaplab.rmap.avc.AnonVmaChainDesign;
import org.rmaplab.rmap.lokier.LokierDesign;
import org.rmaplab.rmap.ptechains.PteChainsDesign;

/**
 * The registry of designs and their variants by name: the one list of design names in the
 * project. Like Caffeine's simulator policies: one interface ({@link RmapDesign}), one package per
 * design, and this table.
 *
 * <p>The five designs are the scenario contract's names, in the order {@code --design all} runs
 * them. A <em>variant</em> is a design with one knob turned, named {@code DESIGN:VARIANT}; it runs
 * as its design (a scenario's {@code expect:DESIGN} lines apply to it) and must change nothing a
 * program can see, which the conformance suite and the random sequences check by running every
 * variant as they run every design.
 */
public final class RmapDesigns {
    private RmapDesigns() {}

    /** Today's Linux. */
    public static final String DEFAULT = "anon_vma_chain";

    /** The real kernel as a name of {@code expect:} scopes and of reports (not a design). */
    public static final String LINUX = "linux";

    private static final Map<String, Supplier<RmapDesign>> DESIGNS = new LinkedHashMap<>();
    private static final Map<String, Supplier<RmapDesign>> VARIANTS = new LinkedHashMap<>();
    private static final Map<String, String> VARIANT_HELP = new LinkedHashMap<>();
    static {
        DESIGNS.put("anon_vma_chain", AnonVmaChainDesign::new);
        DESIGNS.put("anon_vma", AnonVmaDesign::new);
        DESIGNS.put("pte_chains", PteChainsDesign::new);
        DESIGNS.put("anonmm", AnonMmDesign::new);
        DESIGNS.put("lokier", LokierDesign::new);

        variant("pte_chains:mlocked_unchained", PteChainsDesign::withMlockedUnchained,
                "wli's step (b): ptes of VM_LOCKED vmas carry no pte_chain entry (counted, the page PG_mlocked off the LRU)");
        variant("pte_chains:objrmap", PteChainsDesign::objrmap,
                "the -mm tree's objrmap (2003): file pages found through i_mmap, anonymous ones chained; "
                        + "remap_file_pages to a nonlinear address converts the page (page_convert_anon)");
        variant("pte_chains:objrmap_nlchains", PteChainsDesign::objrmapNonlinearChains,
                "wli's step (c) on objrmap: only ptes of file pages at nonlinear addresses are chained, "
                        + "mapcount in the first block");
        variant("anon_vma_chain:noreuse", () -> new AnonVmaChainDesign(false),
                "anon_vma_chain before 7a3ef208e662 (2.6.34 to 3.x): fork never reuses an anon_vma, so they accumulate");
        variant("anon_vma_chain:relocate", AnonVmaChainDesign::relocating,
                "Stoakes' MREMAP_RELOCATE_ANON / MREMAP_MUST_RELOCATE_ANON (v1, June 2025, unmerged) honoured: "
                        + "exclusive folios re-homed to the moved vma, which then merges");
        variant("anon_vma_chain:matena", AnonVmaChainDesign::matena,
                "Matena's series (RFC v3, May 2022, unmerged): mremap adjusts an unshared faulted vma's pgoff and "
                        + "pages; vmas with different, unshared anon_vmas merge");
        variant("lokier:noreserve", () -> new LokierDesign(LokierDesign.DEFAULT_WRAP_LIMIT, 0, 0, 1),
                "Lokier's offsets without a reservation: every growth in place splits (hidden by VM_GROUP)");
    }

    private static void variant(String name, Supplier<RmapDesign> make, String help) {
        VARIANTS.put(name, make);
        VARIANT_HELP.put(name, help);
    }

    /** The five designs, the default first: what {@code --design all} runs. */
    public static List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(DESIGNS.keySet()));
    }

    /** The registered variants ({@code DESIGN:VARIANT}), in registration order. */
    public static List<String> variants() {
        return Collections.unmodifiableList(new ArrayList<>(VARIANTS.keySet()));
    }

    /** Every design, then every variant: what the conformance suite and the random sequences run. */
    public static List<String> everyName() {
        List<String> all = new ArrayList<>(DESIGNS.keySet());
        all.addAll(VARIANTS.keySet());
        return Collections.unmodifiableList(all);
    }

    /** What a variant changes, one line. */
    public static String variantHelp(String variant) {
        return VARIANT_HELP.get(variant);
    }

    /** True for a design or a variant. */
    public static boolean exists(String name) {
        return DESIGNS.containsKey(name) || VARIANTS.containsKey(name);
    }

    /** The design a name runs as: itself for a design, the part before ':' for a variant. */
    public static String designOf(String name) {
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    /** A fresh instance of the named design or variant; IllegalArgumentException for an unknown name. */
    public static RmapDesign create(String name) {
        Supplier<RmapDesign> s = DESIGNS.get(name);
        if (s == null) {
            s = VARIANTS.get(name);
        }
        if (s == null) {
            throw new IllegalArgumentException("unknown design '" + name + "' (known: "
                    + String.join(", ", everyName()) + ")");
        }
        return s.get();
    }
}

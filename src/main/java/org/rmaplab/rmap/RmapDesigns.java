package org.rmaplab.rmap;

import org.rmaplab.mm.RmapDesign;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.rmaplab.rmap.anonvma.AnonVmaDesign;
import org.rmaplab.rmap.anonmm.AnonMmDesign;
import org.rmaplab.rmap.avc.AnonVmaChainDesign;
import org.rmaplab.rmap.ptechains.PteChainsDesign;
import org.rmaplab.rmap.lokier.LokierDesign;

/**
 * The registry of designs by name (the scenario contract's names). Like Caffeine's simulator
 * policies: one interface, one package per design, and this table.
 */
public final class RmapDesigns {
    private RmapDesigns() {}

    /** Today's Linux. */
    public static final String DEFAULT = "anon_vma_chain";

    private static final Map<String, Supplier<RmapDesign>> DESIGNS = new LinkedHashMap<>();
    static {
        DESIGNS.put("anon_vma_chain", AnonVmaChainDesign::new);
        DESIGNS.put("anon_vma", AnonVmaDesign::new);
        DESIGNS.put("pte_chains", PteChainsDesign::new);
        DESIGNS.put("anonmm", AnonMmDesign::new);
        DESIGNS.put("lokier", LokierDesign::new);
    }

    /** Registered design names, the default first. */
    public static List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(DESIGNS.keySet()));
    }

    public static boolean exists(String name) {
        return DESIGNS.containsKey(name);
    }

    /** A fresh instance of the named design; IllegalArgumentException for an unknown name. */
    public static RmapDesign create(String name) {
        Supplier<RmapDesign> s = DESIGNS.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown design '" + name + "' (known: "
                    + String.join(", ", DESIGNS.keySet()) + ")");
        }
        return s.get();
    }
}

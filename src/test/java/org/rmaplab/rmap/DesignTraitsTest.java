package org.rmaplab.rmap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.mm.DesignTraits;
import org.rmaplab.mm.FileRmap.IMmap;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.ReclaimEra;

/**
 * Every design's and variant's capabilities are the table of {@link DesignTraits}' comment, one
 * row per name: pgoff, swap-in-index, groups, tells-moves, table-moves, chains-nl, fork-all,
 * unchains-locked, i_mmap, reclaim. A variant differs from its design only in the knob it turns.
 */
class DesignTraitsTest {

    private static final Map<String, DesignTraits> TABLE = new LinkedHashMap<>();
    static {
        TABLE.put("anon_vma_chain", new DesignTraits(true, false, false, false, true, false, false, false,
                IMmap.INTERVAL_TREE, ReclaimEra.TODAY));
        TABLE.put("anon_vma", new DesignTraits(true, false, false, false, false, false, true, false, IMmap.PRIO_TREE,
                ReclaimEra.OBJRMAP));
        TABLE.put("pte_chains", new DesignTraits(false, true, false, true, false, true, true, false, IMmap.LIST,
                ReclaimEra.V2_6_0));
        TABLE.put("anonmm", new DesignTraits(false, false, false, true, false, false, true, false, IMmap.LIST,
                ReclaimEra.OBJRMAP));
        TABLE.put("lokier", new DesignTraits(true, false, true, false, false, false, true, false,
                IMmap.INTERVAL_TREE, ReclaimEra.OBJRMAP));
        TABLE.put("pte_chains:mlocked_unchained", TABLE.get("pte_chains").withUnchainsLockedPtes(true));
        TABLE.put("pte_chains:objrmap", TABLE.get("pte_chains").withIMmapKind(IMmap.OBJRMAP_LIST));
        TABLE.put("pte_chains:objrmap_nlchains", TABLE.get("pte_chains").withIMmapKind(IMmap.OBJRMAP_LIST));
        TABLE.put("anon_vma_chain:noreuse", TABLE.get("anon_vma_chain"));
        TABLE.put("anon_vma_chain:relocate", TABLE.get("anon_vma_chain"));
        TABLE.put("anon_vma_chain:matena", TABLE.get("anon_vma_chain"));
        TABLE.put("lokier:noreserve", TABLE.get("lokier"));
    }

    @Test
    void everyNameHasItsRow() {
        assertEquals(RmapDesigns.everyName(), java.util.List.copyOf(TABLE.keySet()), "one row per registered name");
        for (String name : RmapDesigns.everyName()) {
            assertEquals(TABLE.get(name), RmapDesigns.create(name).traits(), name);
        }
    }

    @Test
    void theMachineReadsThemOnce() {
        for (String name : RmapDesigns.everyName()) {
            Machine m = new Machine(new MachineConfig(1 << 20, 0, "x86_64"), RmapDesigns.create(name));
            assertEquals(TABLE.get(name), m.traits(), name);
            assertEquals(TABLE.get(name).swapEntryInIndex(), m.frames().swapEntryInIndex(), name);
        }
    }
}

package org.rmaplab.mm;

/** A design that can check its own data structures for the oracle. */
public interface RmapSelfCheck {
    /** null when every invariant holds, else a one-line description of the first violation. */
    String checkInvariants();
}

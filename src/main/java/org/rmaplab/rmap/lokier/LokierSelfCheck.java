package org.rmaplab.rmap.lokier;

import java.util.IdentityHashMap;

import org.rmaplab.mm.Mm;
import org.rmaplab.mm.Vma;

/** lokier's own invariants, checked by the oracle after every operation through {@link LokierDesign#checkInvariants}. */
final class LokierSelfCheck {
    private final LokierDesign d;

    LokierSelfCheck(LokierDesign d) {
        this.d = d;
    }

    /** Adjacent private anonymous vmas with equal flags but for VM_GROUP and soft-dirty. */
    private static boolean groupable(Vma prev, Vma v) {
        return prev.end() == v.start() && prev.file() == null && v.file() == null
                && ((prev.flags() ^ v.flags()) & ~(Vma.VM_GROUP | Vma.VM_IGNORE_MERGE)) == 0;
    }

    /**
     * v's anon state is none or r's address_space and v is in r's index exactly once (then counted
     * in {@code seen}); otherwise why not.
     */
    private static String indexedOnce(String what, Vma v, Reservation r, IdentityHashMap<Reservation, int[]> seen) {
        if (v.anonVma != null && v.anonVma != r.as) {
            return what + " " + v + " has anon state " + v.anonVma + " but offsets in " + r.as;
        }
        int hits = 0;
        for (Vma x : r.vmas) {
            hits += x == v ? 1 : 0;
        }
        if (hits != 1) {
            return what + " " + v + " is " + hits + " times in " + r;
        }
        seen.computeIfAbsent(r, k -> new int[1])[0]++;
        return null;
    }

    /**
     * Every private anonymous vma is indexed once in a live reservation of a live address_space that
     * holds its offsets, and its anon state is that address_space or none; reservations hold only
     * live vmas, in pgoff order, and are disjoint; VM_GROUP joins only what may be grouped, and a
     * group has one anon state; the object counts and mm counts match.
     */
    String check() {
        IdentityHashMap<Reservation, int[]> seen = new IdentityHashMap<>();
        IdentityHashMap<AnonAddressSpace, int[]> users = new IdentityHashMap<>();
        for (Mm mm : d.host.mms()) {
            String why = checkMmVmas(mm, seen, users);
            if (why != null) {
                return why;
            }
        }
        for (AnonAddressSpace as : d.spaces) {
            String why = as == null ? null : checkAnonAddressSpace(as, seen, users);
            if (why != null) {
                return why;
            }
        }
        for (AnonAddressSpace as : d.fileShadows) {
            for (Reservation r : as.reservations) {
                String why = checkReservationVmas(r, seen);
                if (why != null) {
                    return why;
                }
            }
        }
        return checkObjectCounts();
    }

    /**
     * One mm: it allocates from a live address_space (counted in {@code users}); each vma is a file
     * vma with or without offsets, or a private anonymous vma with offsets; VM_GROUP continues a
     * groupable predecessor and a group has one anon state.
     */
    private String checkMmVmas(Mm mm, IdentityHashMap<Reservation, int[]> seen,
                               IdentityHashMap<AnonAddressSpace, int[]> users) {
        AnonAddressSpace cur = (AnonAddressSpace) mm.rmapPriv;
        if (cur == null || d.spaces.get(cur.id) != cur) {
            return mm + " allocates from a dead address_space " + cur;
        }
        users.computeIfAbsent(cur, k -> new int[1])[0]++;
        Boolean groupAnon = null;
        for (int i = 0; i < mm.mapCount(); i++) {
            Vma v = mm.vma(i);
            boolean grouped = (v.flags() & Vma.VM_GROUP) != 0;
            if (grouped && (i == 0 || !groupable(mm.vma(i - 1), v))) {
                return "vma " + v + " of " + mm + " has VM_GROUP but does not continue its predecessor";
            }
            if (v.file() != null) {
                String why = checkFileVma(v, seen);
                if (why != null) {
                    return why;
                }
                continue;
            }
            boolean has = v.anonVma != null;
            if (grouped && groupAnon != null && groupAnon != has) {
                return "group of " + v + " in " + mm + " has vmas with and without anon state";
            }
            groupAnon = has;
            String why = checkAnonVmaOffsets(mm, v, seen);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /** A file vma has no anon state without offsets, and its offsets are in a live file-copies address_space. */
    private String checkFileVma(Vma v, IdentityHashMap<Reservation, int[]> seen) {
        if (v.rmapPriv == null) {
            return v.anonVma != null ? "file vma " + v + " has anon state but no offsets" : null;
        }
        if (!(v.rmapPriv instanceof Reservation r) || !r.as.fileShadow || !d.fileShadows.contains(r.as)
                || !r.as.reservations.contains(r)) {
            return "file vma " + v + " is indexed in " + v.rmapPriv + ", not a live file-copies address_space";
        }
        return indexedOnce("file vma", v, r, seen);
    }

    /** A private anonymous vma lies inside a live reservation of a live address_space, indexed once. */
    private String checkAnonVmaOffsets(Mm mm, Vma v, IdentityHashMap<Reservation, int[]> seen) {
        if (!(v.rmapPriv instanceof Reservation r)) {
            return "anonymous vma " + v + " of " + mm + " has no offsets";
        }
        if (d.spaces.get(r.as.id) != r.as || !r.as.reservations.contains(r)) {
            return "vma " + v + " is in dead " + r;
        }
        if (v.pgoff() < r.lo || v.pgoff() + v.pages() > r.hi) {
            return "vma " + v + " lies outside its " + r;
        }
        return indexedOnce("vma", v, r, seen);
    }

    /**
     * A live anonymous address_space: its mm count is right, it is used, its reservations are
     * disjoint and inside its counter, each holding only live vmas in pgoff order.
     */
    private static String checkAnonAddressSpace(AnonAddressSpace as, IdentityHashMap<Reservation, int[]> seen,
                                                IdentityHashMap<AnonAddressSpace, int[]> users) {
        int[] u = users.get(as);
        if (as.mmUsers != (u == null ? 0 : u[0])) {
            return as + " counts " + as.mmUsers + " mms but " + (u == null ? 0 : u[0]) + " use it";
        }
        if (as.mmUsers == 0 && as.reservations.isEmpty()) {
            return as + " is unused but alive";
        }
        long prevHi = as.base - 1;
        for (Reservation r : as.reservations) {
            if (r.lo <= prevHi || r.hi <= r.lo || r.hi > as.base + Math.max(as.next, 1)) {
                return r + " overlaps another or lies outside the counter";
            }
            prevHi = r.hi;
            String why = checkReservationVmas(r, seen);
            if (why != null) {
                return why;
            }
            for (int i = 1; i < r.vmas.size(); i++) {
                if (r.vmas.get(i - 1).pgoff() > r.vmas.get(i).pgoff()) {
                    return r + " is out of pgoff order";
                }
            }
        }
        return null;
    }

    /** A reservation holds vmas, exactly the live vmas found in it. */
    private static String checkReservationVmas(Reservation r, IdentityHashMap<Reservation, int[]> seen) {
        int[] s = seen.get(r);
        if (r.vmas.isEmpty() || s == null || s[0] != r.vmas.size()) {
            return r + " holds " + r.vmas.size() + " vmas but " + (s == null ? 0 : s[0]) + " live vmas are in it";
        }
        return null;
    }

    /** The stats count the live reservations and address_spaces (anonymous and file copies). */
    private String checkObjectCounts() {
        long reservations = 0;
        long live = d.fileShadows.size();
        for (AnonAddressSpace as : d.spaces) {
            live += as == null ? 0 : 1;
            reservations += as == null ? 0 : as.reservations.size();
        }
        for (AnonAddressSpace as : d.fileShadows) {
            reservations += as.reservations.size();
        }
        if (d.stats.alive("reservation") != reservations) {
            return d.stats.alive("reservation") + " reservations allocated but " + reservations + " live";
        }
        if (d.stats.alive("address_space") != live) {
            return d.stats.alive("address_space") + " address_spaces allocated but " + live + " live";
        }
        return null;
    }
}

package org.rmaplab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.rmaplab.cost.Calibration;
import org.rmaplab.cost.Validation;
import org.rmaplab.harness.HarnessError;
import org.rmaplab.harness.KernelRunner;

/**
 * {@code bench validate --recalibrate}: the prices measured again right before each workload's rows,
 * and a control timed before and after each row (issue 18). This machine's speed drifts by up to 4x
 * within minutes (a PVM guest on 2 shared CPUs), so a calibration taken minutes before a row can
 * miss it by the drift alone. The fresh calibration is calibrate.c's whole run (every series, its
 * usual sizes, the same fits and residuals, at --recalibrate-rounds rounds) plus the harness's own
 * fork, as bench validate measures it: the same primitives measured the same way, only closer in
 * time; nothing of the validation's own measurements enters a price. A series calibrate.c skips
 * (no swap, no userfaultfd) takes the calibration given's price, its source saying so.
 */
final class Recalibration implements AutoCloseable {

    /** The lines under the table's header that say what the fresh columns are, calibrate.c at CAL_ROUNDS. */
    static String note(int calRounds) {
        return "fresh: each workload's rows also priced by a calibration measured right before them"
            + " (calibrate.c, every series at " + calRounds + " round(s) a point, and the harness's fork); a series it skips keeps"
            + " the calibration given's price\n"
            + "control: calibrate.c's control loops (one-page MADV_DONTNEED, anonymous write fault; 0.1 s of CPU each)"
            + " right before and after each row's kernel runs, after / before; a change over "
            + Math.round(100 * Validation.SPEED_FLAG) + "% flags the row\n";
    }

    /** A calibration measured right before a workload's rows, and when (HH:MM:SS UTC). */
    record Fresh(Calibration cal, String at) {}

    private final CalibrateCommand.Binary bin;
    private final Path dir;
    private final KernelRunner kernel;
    private final int rounds;
    private final int calRounds;
    private final PrintWriter err;

    private Recalibration(CalibrateCommand.Binary bin, Path dir, KernelRunner kernel, int rounds, int calRounds,
                          PrintWriter err) {
        this.bin = bin;
        this.dir = dir;
        this.kernel = kernel;
        this.rounds = rounds;
        this.calRounds = calRounds;
        this.err = err;
    }

    /**
     * calibrate.c compiled once for the run; its file series use the directory `rmaplab calibrate`
     * writes to (a disk file system, as pageout_vmas needs: its clean file pages are dropped, not
     * swapped). ROUNDS is bench validate's, for the harness's fork; CAL_ROUNDS calibrate.c's.
     */
    static Recalibration start(KernelRunner kernel, int rounds, int calRounds, PrintWriter err) throws IOException {
        Path dir = CalibrateCommand.defaultFile(System.getenv()).getParent();
        Files.createDirectories(dir);
        return new Recalibration(CalibrateCommand.Binary.compile(), dir, kernel, rounds, calRounds, err);
    }

    /**
     * A calibration measured now: calibrate.c's series priced as `rmaplab calibrate` prices them
     * (GIVEN's price where a series is skipped), and fork_call the harness's own fork, measured now
     * (GIVEN's, which bench validate measured at its start, if that fails).
     */
    Fresh calibrate(Calibration given) throws IOException {
        String output = bin.run(dir, calRounds, List.of());
        Calibration fresh = CalibrateCommand.calibration(output, new ArrayList<>(), given, "fresh calibration");
        try {
            fresh = ValidateCommand.withPrice(fresh, "fork_call", ValidateCommand.harnessForkNs(kernel, rounds),
                    "the harness's own fork, measured by bench validate --recalibrate right after calibrate.c");
        } catch (HarnessError | IOException e) {
            err.println("rmaplab: bench validate: the harness's fork not measured again (" + e.getMessage()
                    + "): the calibration given's fork_call");
            err.flush();
            fresh = ValidateCommand.withPrice(fresh, "fork_call", given.ns("fork_call"), given.price("fork_call").source());
        }
        return new Fresh(fresh, clock());
    }

    /** calibrate.c's control, now. */
    Validation.Control control() throws IOException {
        return parseControl(bin.run(dir, 1, List.of("control")));
    }

    /** The control in calibrate.c's OUTPUT ("control madvise_dontneed_1 NS", "control fault_anon NS"). */
    static Validation.Control parseControl(String output) throws IOException {
        double dontneed = -1;
        double fault = -1;
        for (String line : output.split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length == 3 && f[0].equals("control")) {
                try {
                    if (f[1].equals("madvise_dontneed_1")) {
                        dontneed = Double.parseDouble(f[2]);
                    } else if (f[1].equals("fault_anon")) {
                        fault = Double.parseDouble(f[2]);
                    }
                } catch (NumberFormatException e) {
                    throw new IOException("calibrate.c's control: not a number: " + line.strip());
                }
            }
        }
        if (!(dontneed > 0) || !(fault > 0)) {
            throw new IOException("calibrate.c's control printed no time: " + output.strip().replace('\n', ' '));
        }
        return new Validation.Control(dontneed, fault);
    }

    /**
     * The control's cell of a row: each loop's after / before with its two times (us), and "speed
     * moved X% during the row" when {@link Validation#speedChange} is over {@link Validation#SPEED_FLAG}.
     */
    static String controlCell(Validation.Control before, Validation.Control after) {
        double change = Validation.speedChange(before, after);
        return String.format(Locale.ROOT, "dontneed %.2f (%.1f to %.1f us), fault %.2f (%.1f to %.1f us)",
                after.dontneedNs() / before.dontneedNs(), before.dontneedNs() / 1e3, after.dontneedNs() / 1e3,
                after.faultNs() / before.faultNs(), before.faultNs() / 1e3, after.faultNs() / 1e3)
                + (Validation.speedMoved(change) ? "; speed moved " + Validation.percent(change) + " during the row" : "");
    }

    /** The primitives a fresh calibration's line under the table shows: those the validated rows spend most on. */
    static final java.util.List<String> SHOWN = java.util.List.of("fault_anon", "fault_file", "fault_file_read", "cow",
            "fork_call", "fork_pte", "exit_pte", "mremap_pte", "uffd_move", "swap_out", "swap_in", "walk_pte",
            "call_madvise", "tlb_flush_page", "tlb_flush_all");

    /** One line for the fresh calibration F taken before WORKLOAD: its time and the prices {@link #SHOWN} (us). */
    static String summary(String workload, Fresh f) {
        StringBuilder b = new StringBuilder("fresh calibration before ").append(workload).append(", ").append(f.at())
                .append(" UTC (us):");
        for (String p : SHOWN) {
            b.append(String.format(Locale.ROOT, " %s %.2f", p, f.cal().ns(p) / 1e3));
        }
        return b.append('\n').toString();
    }

    /** Now, HH:MM:SS UTC. */
    static String clock() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("HH:mm:ss"));
    }

    @Override
    public void close() throws IOException {
        bin.close();
    }
}

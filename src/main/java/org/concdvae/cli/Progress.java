package org.concdvae.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;
import org.concdvae.dist.Collectives;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Progress bar with rate and ETA on stderr for long work; silent with --quiet. Thread-safe {@link #step()}.
 * On a terminal the bar redraws one line ({@code \r}); anything else printed meanwhile must first end that line
 * ({@link #endLine()}), so that every {@code error:} line starts a line of its own. Into a log file or pipe, where
 * {@code \r} does not return, the bar prints whole lines instead, at most one per {@link #LOG_INTERVAL} and never the
 * same line twice.
 */
public final class Progress implements AutoCloseable {
    /** How often a bar writes a line when stderr is not a terminal. */
    static final Duration LOG_INTERVAL = Duration.ofSeconds(30);

    private static PrintStream stream = System.err;
    private static Boolean terminalOverride;
    /** True while a terminal bar's line is drawn without its end of line. */
    private static volatile boolean lineOpen;

    private final ProgressBar bar;

    private Progress(ProgressBar bar) { this.bar = bar; }

    /** A bar over {@code total} units named {@code task}; {@code quiet} disables it, and so does an MPI rank other than 0. */
    public static Progress start(String task, long total, boolean quiet) {
        return start(task, total, 0, quiet);
    }

    /**
     * A bar over the {@code total} units of a whole run of which {@code done} were finished before (a resumed run):
     * counts are those of the whole run, the rate and ETA those of this process.
     */
    public static Progress start(String task, long total, long done, boolean quiet) {
        if (quiet || !Collectives.isRoot()) return new Progress(null);
        PrintStream out = stream;
        ProgressBarConsumer consumer = terminal() ? new TerminalConsumer(out) : new LineConsumer(out);
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(consumer)
                .setUpdateIntervalMillis(500)
                .showSpeed();
        if (done > 0) b.startsFrom(done, Duration.ZERO);
        return new Progress(b.build());
    }

    public void step() { if (bar != null) bar.step(); }

    public void stepBy(long n) { if (bar != null) bar.stepBy(n); }

    /** Raises the count to at least {@code n} (units that were skipped); never lowers it. */
    public synchronized void stepTo(long n) { if (bar != null && bar.getCurrent() < n) bar.stepTo(n); }

    /** Extra text after the bar, e.g. current loss values. */
    public void message(String extra) { if (bar != null) bar.setExtraMessage("  " + extra); }   // the bar ends in the rate: keep them apart

    @Override
    public void close() { if (bar != null) bar.close(); }

    /** Ends a bar's unfinished line on the terminal, so that what follows starts a line of its own. */
    public static synchronized void endLine() {
        if (lineOpen) {
            stream.println();
            stream.flush();
            lineOpen = false;
        }
    }

    /** Whether stderr is a terminal (Java 17 has no direct test: the file descriptor's target on Linux). */
    static boolean terminal() {
        if (terminalOverride != null) return terminalOverride;
        try {
            Path fd = Path.of("/proc/self/fd/2");
            if (Files.exists(fd)) {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (Exception e) {
            // fall back to the console test below
        }
        return System.console() != null;
    }

    /** Tests: send bars to {@code out} and treat it as a terminal or not ({@code null}: System.err, detected). */
    static synchronized void redirect(PrintStream out, Boolean terminal) {
        stream = out == null ? System.err : out;
        terminalOverride = terminal;
        lineOpen = false;
    }

    /** The library's redrawing console consumer, noting when its line is left open. */
    private static final class TerminalConsumer extends ConsoleProgressBarConsumer {
        TerminalConsumer(PrintStream out) { super(out); }

        @Override
        public void accept(String rendered) {
            synchronized (Progress.class) {
                super.accept(rendered);
                lineOpen = true;
            }
        }

        @Override
        public void close() {
            synchronized (Progress.class) {
                super.close();
                lineOpen = false;
            }
        }
    }

    /** Whole lines for logs: at most one per interval, none repeated, and the final state at the end. */
    private static final class LineConsumer implements ProgressBarConsumer {
        private final PrintStream out;
        private long lastPrinted = Long.MIN_VALUE;
        private String last = "", pending;

        LineConsumer(PrintStream out) { this.out = out; }

        @Override
        public int getMaxRenderedLength() { return 160; }

        @Override
        public synchronized void accept(String rendered) {
            String line = rendered.strip();
            if (line.equals(last)) return;
            long now = System.nanoTime();
            if (lastPrinted != Long.MIN_VALUE && now - lastPrinted < LOG_INTERVAL.toNanos()) {
                pending = line;
                return;
            }
            print(line, now);
        }

        private void print(String line, long now) {
            out.println(line);
            out.flush();
            last = line;
            pending = null;
            lastPrinted = now;
        }

        @Override
        public synchronized void close() {
            if (pending != null && !pending.equals(last)) print(pending, System.nanoTime());
        }
    }
}

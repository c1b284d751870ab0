package org.concdvae.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.concdvae.dist.Collectives;

/**
 * Progress bar with rate and ETA on stderr for long work; silent with --quiet or when there is no terminal and
 * output is a log file (then it prints nothing, summaries still appear). Thread-safe {@link #step()}.
 */
public final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) { this.bar = bar; }

    /** A bar over {@code total} units named {@code task}; {@code quiet} disables it, and so does an MPI rank other than 0. */
    public static Progress start(String task, long total, boolean quiet) {
        if (quiet || !Collectives.isRoot()) return new Progress(null);
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(500)
                .showSpeed()
                .build();
        return new Progress(bar);
    }

    public void step() { if (bar != null) bar.step(); }

    public void stepBy(long n) { if (bar != null) bar.stepBy(n); }

    /** Extra text after the bar, e.g. current loss values. */
    public void message(String extra) { if (bar != null) bar.setExtraMessage(extra); }

    @Override
    public void close() { if (bar != null) bar.close(); }
}

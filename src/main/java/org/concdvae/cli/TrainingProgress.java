package org.concdvae.cli;

import org.concdvae.dist.Collectives;
import org.concdvae.train.Step1Trainer;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The training commands' progress display: a bar over all remaining steps whose message shows the running loss
 * terms, a line per epoch and the trainer's messages on stderr; silent (but for the bar's own quiet mode) with
 * {@code --quiet}.
 */
final class TrainingProgress implements Step1Trainer.Listener {
    private final String task;
    private final BiFunction<Integer, Map<String, Double>, String> stepText;
    private final boolean showSkipped;
    private final boolean quiet;
    private final PrintWriter err;
    private Progress bar;

    /**
     * @param stepText    the bar's message after a step, from the epoch and the step's loss terms
     * @param showSkipped whether the epoch line names the steps skipped as non-finite
     */
    TrainingProgress(String task, BiFunction<Integer, Map<String, Double>, String> stepText, boolean showSkipped,
                     boolean quiet, PrintWriter err) {
        this.task = task;
        this.stepText = stepText;
        this.showSkipped = showSkipped;
        // In an MPI job rank 0 speaks for all; other ranks' warnings still reach the log with a [rank k] prefix.
        this.quiet = quiet || !Collectives.isRoot();
        this.err = err;
    }

    @Override
    public void start(int firstEpoch, int total, int stepsPerEpoch) {
        // the whole run's steps: a resumed run starts at the steps of its finished epochs
        bar = Progress.start(task, (long) total * stepsPerEpoch, (long) firstEpoch * stepsPerEpoch, quiet);
    }

    @Override
    public void step(int epoch, int step, Map<String, Double> terms) {
        bar.step();
        bar.message(stepText.apply(epoch, terms));
    }

    @Override
    public void epoch(Step1Trainer.EpochResult r) {
        if (quiet) return;
        err.printf(Locale.ROOT, "%nepoch %d: train_loss %.5g  val_loss %.5g  lr %.3g%s%s (%.1f s)%n", r.epoch(),
                r.train().getOrDefault("loss", Double.NaN), r.val().get("loss"), r.lr(), r.best() ? "  [best]" : "",
                showSkipped && r.skippedSteps() > 0 ? "  skipped " + r.skippedSteps() : "", r.seconds());
        err.flush();
    }

    @Override
    public void message(String text) {
        if (!quiet) {
            err.println(text);
            err.flush();
        }
    }

    void close() { if (bar != null) bar.close(); }
}

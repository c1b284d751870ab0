package org.concdvae.cli;

import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.dist.Collective;
import org.concdvae.dist.Collectives;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.IoErrors;
import org.concdvae.io.OutputLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Base of every subcommand: shared options, and the one place where failures become exit codes.
 * A {@link UserException} (or an invalid structure / missing file) is printed as one line on stderr with exit code
 * {@link ExitCode#BAD_INPUT}; anything else is an internal error ({@link ExitCode#INTERNAL_ERROR}) whose stack trace
 * appears only with {@code --log-level debug}.
 */
public abstract class BaseCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(BaseCommand.class);

    @Spec
    protected CommandSpec spec;

    @Mixin
    protected CommonOptions common;

    /**
     * The job of a command that trains across processes (set through {@link #joinJob}); null otherwise. A failure on
     * one rank of a multi-process job prints one line naming the rank and aborts every process of the job.
     */
    protected Collective job;

    /** Detects the job this process belongs to (an MPI launch, or this process alone) and remembers it. */
    protected Collective joinJob() {
        job = Collectives.detect();
        return job;
    }

    /**
     * Whether the command takes part in an MPI job (splits its work over the ranks, rank 0 writes). Any other command
     * launched by mpirun/srun with several processes is refused: every rank would do the whole work and write the
     * same files.
     */
    protected boolean runsUnderMpi() { return false; }

    /** The command's work. Return an {@link ExitCode}. */
    protected abstract int run() throws Exception;

    /** Output locks taken by {@link #lockOutput}, released when the command ends. */
    private final List<OutputLock> locks = new ArrayList<>();

    /**
     * What to do after an interrupted run (Ctrl-C, SIGTERM), printed as one line after it; null: nothing to say.
     * Commands that can continue a run override this (e.g. "rerun with --resume").
     */
    protected String interruptedHint() { return null; }

    /**
     * Checks that {@code dir} can be written and takes it for this run (io.OutputLock): a second run into the same
     * directory fails with a line naming this one. Call it before any work, in the process that writes. Released when
     * the command ends (also on Ctrl-C).
     */
    protected final void lockOutput(Path dir, String flag) {
        lockOutput(dir, OutputLock.DEFAULT_NAME, flag);
    }

    /** As {@link #lockOutput(Path, String)} with a lock file of its own (several writers of one directory). */
    protected final void lockOutput(Path dir, String lockName, String flag) {
        Collective launched = Collectives.current();
        if (launched != null && !launched.isRoot()) return;   // under MPI rank 0 alone writes --out, so it alone locks it
        CommandLine root = spec.commandLine();
        while (root.getParent() != null) root = root.getParent();
        String command = root.getCommandName() + " " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        locks.add(OutputLock.acquire(dir, lockName, flag, command, w -> {
            Progress.endLine();
            err().println("warning: " + w);
            err().flush();
        }));
    }

    /** Fails like {@link #lockOutput(Path, String)} if another run holds {@code dir}'s lock, without keeping it. */
    protected final void checkNotLocked(Path dir, String flag) {
        int held = locks.size();
        lockOutput(dir, flag);
        if (locks.size() > held) locks.remove(locks.size() - 1).close();   // none taken on MPI ranks other than 0
    }

    @Override
    public final Integer call() {
        Thread hook = new Thread(this::interrupted, "concdvae-interrupt");
        boolean hooked = addHook(hook);
        try {
            common.applyLogging();
            Collective launched = Collectives.current();
            if (launched != null && launched.size() > 1 && !runsUnderMpi()) {
                throw new UserException("'" + spec.qualifiedName() + "' runs in one process; launch it without mpirun/srun "
                        + "(under MPI: train-step1, train-prior, evaluate train-cgcnn, sample, bench train-step1, bench allreduce)");
            }
            int code = run();
            if (job != null) job.close();   // MPI_Finalize after a clean finish; failures abort instead
            return code;
        } catch (UserException | InvalidStructureException | InvalidInputException e) {
            return fail(ExitCode.BAD_INPUT, e.getMessage(), e);
        } catch (NoSuchFileException e) {
            return fail(ExitCode.BAD_INPUT, "file not found: " + e.getFile(), e);
        } catch (UncheckedIOException e) {
            return fail(ExitCode.BAD_INPUT, "I/O error: " + IoErrors.describe(e.getCause(), null), e);
        } catch (java.io.IOException e) {
            return fail(ExitCode.BAD_INPUT, "I/O error: " + IoErrors.describe(e, null), e);
        } catch (OutOfMemoryError e) {
            return fail(ExitCode.INTERNAL_ERROR, "out of memory; lower the batch size or raise -Xmx (JAVA_OPTS)", e);
        } catch (Exception | Error e) {
            return fail(ExitCode.INTERNAL_ERROR, "internal error: " + e + " (rerun with --log-level debug for details)", e);
        } finally {
            releaseLocks();
            if (hooked) removeHook(hook);
        }
    }

    /** Shutdown hook of a run stopped by a signal: end the progress line, say how to continue, free the output. */
    private void interrupted() {
        Progress.endLine();
        String hint = interruptedHint();
        PrintWriter e = err();
        e.println();
        e.println("interrupted" + (hint == null ? "" : ": " + oneLine(hint)));
        e.flush();
        releaseLocks();
    }

    private synchronized void releaseLocks() {
        for (int i = locks.size() - 1; i >= 0; i--) locks.get(i).close();
        locks.clear();
    }

    private static boolean addHook(Thread hook) {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return true;
        } catch (IllegalStateException e) {
            return false; // already shutting down
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs or has run
        }
    }

    private int fail(int code, String message, Throwable e) {
        Progress.endLine();
        if (job != null && job.size() > 1) {
            log.debug("details", e);
            return failRank(err(), job, code, message);
        }
        // A command that did not join the job still names its rank in an MPI launch (Main then aborts the job).
        err().println("error: " + Collectives.rankPrefix() + oneLine(message));
        err().flush();
        log.debug("details", e);
        return code;
    }

    /**
     * The failure of one rank of a multi-process job: one line naming the rank, then {@link Collective#abort}, which
     * ends every process of the job (returns only with a collective whose abort returns).
     */
    static int failRank(PrintWriter err, Collective job, int code, String message) {
        err.println("error: rank " + job.rank() + ": " + oneLine(message));
        err.flush();
        job.abort(code);
        return code;
    }

    private static String oneLine(String s) {
        return s == null ? "(no message)" : s.replace('\n', ' ').replace('\r', ' ').trim();
    }

    protected PrintWriter out() { return spec.commandLine().getOut(); }

    protected PrintWriter err() { return spec.commandLine().getErr(); }

    /** Progress output and summaries go through this so that --quiet silences them; in an MPI job only rank 0 prints. */
    protected void info(String fmt, Object... args) {
        if (!common.quiet && Collectives.isRoot()) {
            out().println(String.format(fmt, args));
            out().flush();
        }
    }
}

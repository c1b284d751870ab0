package org.concdvae.cli;

import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.dist.Collective;
import org.concdvae.dist.Collectives;
import org.concdvae.io.InvalidInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
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

    @Override
    public final Integer call() {
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
            return fail(ExitCode.BAD_INPUT, "I/O error: " + e.getCause().getMessage(), e);
        } catch (java.io.IOException e) {
            return fail(ExitCode.BAD_INPUT, "I/O error: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            return fail(ExitCode.INTERNAL_ERROR, "out of memory; lower the batch size or raise -Xmx (JAVA_OPTS)", e);
        } catch (Exception | Error e) {
            return fail(ExitCode.INTERNAL_ERROR, "internal error: " + e + " (rerun with --log-level debug for details)", e);
        }
    }

    private int fail(int code, String message, Throwable e) {
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

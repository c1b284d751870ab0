package org.concdvae.cli;

import org.concdvae.dist.Collectives;
import org.concdvae.io.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code concdvae} launcher: one subcommand per task. */
@Command(name = "concdvae", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Con-CDVAE: generate inorganic crystals with target properties.",
        subcommands = {
                PreprocessCommand.class,
                TrainStep1Command.class,
                TrainPriorCommand.class,
                SampleCommand.class,
                EvaluateCommand.class,
                AnalyzeCommand.class,
                BenchCommand.class,
                InspectCheckpointCommand.class,
                ImportCommand.class,
                VerifyReferenceCommand.class,
                CommandLine.HelpCommand.class})
public class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    /** Builds the command line with the project's error handling (bad options: one line, exit 2). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        HelpFormat.apply(cl);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("error: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            c.getErr().flush();
            return ExitCode.BAD_INPUT;
        });
        return cl;
    }

    public static void main(String[] args) {
        // Under mpirun/srun, MPI is initialised here, on the main thread, before any command runs (dist.Collectives).
        try {
            Collectives.detect();
        } catch (InvalidInputException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(ExitCode.BAD_INPUT);
        }
        int code = commandLine().execute(args);
        // A failing rank aborts the whole job; a finished one finalizes MPI.
        System.exit(Collectives.finish(code));
    }
}

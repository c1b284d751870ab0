package org.concdvae.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import org.concdvae.dist.Collective;
import org.concdvae.dist.Collectives;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

import java.util.Iterator;

/** Options every subcommand shares (a picocli mixin). */
public class CommonOptions {
    @Option(names = "--seed", description = "Random seed; the same seed gives the same results (default: ${DEFAULT-VALUE}).",
            defaultValue = "42")
    public long seed;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    public Integer threads;

    @Option(names = {"-q", "--quiet"}, description = "No progress bars or summaries, only errors.")
    public boolean quiet;

    @Option(names = "--log-level", description = "Log level: error, warn, info, debug, trace (default: ${DEFAULT-VALUE}).",
            defaultValue = "warn")
    public String logLevel;

    /** Effective number of worker threads. */
    public int threads() {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) throw new UserException("--threads must be at least 1, got " + t);
        return t;
    }

    /** Applies --log-level to the root logger and to ND4J/JavaCPP, whose start-up messages are noise by default. */
    public void applyLogging() {
        Level level = Level.toLevel(logLevel, null);
        if (level == null) throw new UserException("--log-level must be one of error, warn, info, debug, trace; got '" + logLevel + "'");
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        Level libs = level.isGreaterOrEqual(Level.INFO) ? Level.ERROR : level;
        for (String name : new String[]{"org.nd4j", "org.bytedeco", "org.deeplearning4j"}) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(libs);
        }
        Collective job = Collectives.current();
        if (job != null && job.size() > 1) prefixLog(root, "[rank " + job.rank() + "] ");
    }

    /** In an MPI job every log line names its rank: the ranks' stderr streams arrive interleaved. */
    private static void prefixLog(Logger root, String prefix) {
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (!(it.next() instanceof OutputStreamAppender<ILoggingEvent> a)) continue;
            if (!(a.getEncoder() instanceof PatternLayoutEncoder old) || old.getPattern().startsWith(prefix)) continue;
            PatternLayoutEncoder e = new PatternLayoutEncoder();
            e.setContext(old.getContext());
            e.setPattern(prefix + old.getPattern());
            e.start();
            a.stop();
            a.setEncoder(e);
            a.start();
        }
    }
}

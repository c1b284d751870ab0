package org.concdvae.cli;

import org.concdvae.sample.SampleMerge;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code concdvae sample merge}: join the shard directories of one {@code sample --shard I/N} run. */
@Command(name = "merge", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Join the outputs of the shards of one 'concdvae sample --shard I/N' run into one directory,",
                "the same as the unsharded run writes: samples.csv, samples.extxyz, cifs/ (and trajectories/) in",
                "global order, run.json listing the shards. Every shard must be finished, present once, and of",
                "the same run (same model, prior, strategy, targets, seed, sizes, shard count).",
                "The output is created atomically and never overwritten."})
public class SampleMergeCommand extends BaseCommand {
    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Merged output directory (must not exist).")
    Path out;

    @Parameters(paramLabel = "SHARD_DIR", arity = "1..*",
            description = "Shard output directories, in any order; a quoted glob such as 'samples/shard-*' is expanded.")
    List<String> shards = new ArrayList<>();

    @Override
    protected int run() throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (String s : shards) dirs.addAll(expand(s));
        SampleMerge.Summary r = SampleMerge.merge(dirs, out, VersionProvider.version());
        info("merged %d shards: %d crystals (%d with atoms) into %s", r.shards(), r.crystals(), r.structures(), out);
        return ExitCode.OK;
    }

    /** A path, or a glob in its last component (*, ?, [..]) when no such path exists. */
    static List<Path> expand(String arg) throws IOException {
        Path p = Path.of(arg);
        if (Files.exists(p) || !arg.matches(".*[*?\\[].*")) return List.of(p);
        Path parent = p.getParent() == null ? Path.of(".") : p.getParent();
        String glob = p.getFileName().toString();
        if (parent.toString().matches(".*[*?\\[].*")) throw new UserException(arg + ": only the last path component may hold a glob");
        List<Path> l = new ArrayList<>();
        if (Files.isDirectory(parent)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, glob)) {
                for (Path d : ds) if (Files.isDirectory(d)) l.add(p.getParent() == null ? d.getFileName() : d);
            }
        }
        if (l.isEmpty()) throw new UserException(arg + ": no shard directory matches");
        l.sort(null);
        return l;
    }
}

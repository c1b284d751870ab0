package org.concdvae.cli;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.graph.CrystalGraph;
import org.concdvae.graph.GraphMethod;
import org.concdvae.graph.GraphMethods;
import org.concdvae.io.AtomicFiles;
import org.concdvae.io.StructureSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code concdvae analyze graph}: the encoder bond graph of every input structure, on the cell exactly as given (no
 * Niggli reduction), in the official directed-edge order of model.md §2.1. Output CSV columns
 * {@code id,n_edges,edges} with {@code edges} = JSON {@code [[source,target,ix,iy,iz],...]}.
 */
@Command(name = "graph", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Build the encoder bond graph of each structure (cell as given, no reduction).",
                "Writes id,n_edges,edges; edges = JSON [[source,target,ix,iy,iz],...] in the",
                "official order: for each bond (u, v, image), (v, u, +image) then (u, v, -image).",
                "Examples:",
                "  concdvae analyze graph --method crystalnn --input gen/cifs --output graphs.csv",
                "  concdvae analyze graph --method radius --input relax/ --output graphs.csv"})
public class AnalyzeGraphCommand extends BaseCommand {
    @Option(names = "--method", paramLabel = "NAME", defaultValue = "crystalnn",
            description = "crystalnn (pymatgen CrystalNN as in the official encoder), mindistance (MinimumDistanceNN: "
                    + "tol 0.1, cutoff 10 Å) or radius (periodic radius graph, model.md §2.2) (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--cutoff", paramLabel = "R",
            description = "Radius graph cutoff in Å (--method radius only; default 7.0, the encoder's).")
    Double cutoff;

    @Option(names = "--max-neighbors", paramLabel = "K",
            description = "Radius graph neighbour limit per atom (--method radius only; default 20).")
    Integer maxNeighbors;

    @Option(names = "--input", paramLabel = "CSV|CIF|DIR", required = true,
            description = StructureSource.INPUT_DESCRIPTION)
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "CSV", required = true, description = "Output CSV (written atomically).")
    Path output;

    private record Result(String id, CrystalGraph graph, String error) {}

    @Override
    protected int run() throws Exception {
        GraphMethod gm = graphMethod();
        long t0 = System.nanoTime();
        List<StructureSource.Entry> entries = StructureSource.read(input);
        List<Result> results = ParallelMap.map(entries.size(), common.threads(), "graphs (" + gm.name() + ")",
                common.quiet, i -> {
                    StructureSource.Entry e = entries.get(i);
                    if (!e.ok()) return new Result(e.id(), null, e.error());
                    try {
                        return new Result(e.id(), gm.build(e.structure()), null);
                    } catch (InvalidStructureException ex) {
                        return new Result(e.id(), null, ex.getMessage());
                    }
                });
        List<Result> good = new ArrayList<>();
        for (Result r : results) {
            if (r.error() == null) good.add(r);
            else err().println("warning: skipped " + r.id() + ": " + r.error());
        }
        err().flush();
        if (good.isEmpty()) {
            throw new UserException("no graph could be built from " + input + " (" + results.size() + " structures, all failed)");
        }
        AtomicFiles.writeText(output, w -> {
            // not closed here: AtomicFiles owns the stream
            CSVPrinter p = new CSVPrinter(w, CSVFormat.RFC4180.builder().setRecordSeparator('\n').build());
            p.printRecord("id", "n_edges", "edges");
            for (Result r : good) p.printRecord(r.id(), r.graph().numEdges(), edgesJson(r.graph()));
            p.flush();
        });
        long edges = good.stream().mapToLong(r -> r.graph().numEdges()).sum();
        info("%s graphs: %d structures written to %s (%d skipped), %d directed edges (%.1f per structure), %.1f s",
                gm.name(), good.size(), output, results.size() - good.size(), edges, (double) edges / good.size(),
                (System.nanoTime() - t0) / 1e9);
        return ExitCode.OK;
    }

    private GraphMethod graphMethod() {
        if (!GraphMethods.available(method)) {
            throw new UserException("--method must be crystalnn, mindistance or radius, got '" + method + "'");
        }
        boolean radius = method.equals("radius");
        if (!radius && (cutoff != null || maxNeighbors != null)) {
            throw new UserException("--cutoff and --max-neighbors apply only to --method radius");
        }
        double r = cutoff == null ? 7.0 : cutoff;
        int k = maxNeighbors == null ? 20 : maxNeighbors;
        if (!(r > 0) || !Double.isFinite(r)) throw new UserException("--cutoff must be a positive number of Å, got " + r);
        if (k < 1) throw new UserException("--max-neighbors must be at least 1, got " + k);
        return GraphMethods.create(method, new GraphMethods.Params(r, k));
    }

    /** {@code [[source, target, ix, iy, iz], ...]} in edge order. */
    static String edgesJson(CrystalGraph g) {
        int[] s = g.source(), t = g.target(), im = g.images();
        StringBuilder sb = new StringBuilder(16 * g.numEdges() + 2).append('[');
        for (int e = 0; e < g.numEdges(); e++) {
            if (e > 0) sb.append(", ");
            sb.append('[').append(s[e]).append(", ").append(t[e]);
            for (int k = 0; k < 3; k++) sb.append(", ").append(im[3 * e + k]);
            sb.append(']');
        }
        return sb.append(']').toString();
    }
}

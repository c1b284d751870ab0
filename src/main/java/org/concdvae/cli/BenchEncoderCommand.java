package org.concdvae.cli;

import org.concdvae.autodiff.Engine;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.data.CrystalRecord;
import org.concdvae.data.Preprocessor;
import org.concdvae.graph.CrystalGraph;
import org.concdvae.model.CdvaeModel;
import org.concdvae.model.DimeNetPlusPlus;
import org.concdvae.model.EncoderGraph;
import org.concdvae.model.Latent;
import org.concdvae.model.Probe;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.concdvae.cli.BenchSupport.cpuNanos;
import static org.concdvae.cli.BenchSupport.median;

/**
 * {@code concdvae bench encoder}: median time of the DimeNet++ encoder + latent (model.md §3–§4) on batches of real
 * crystals (the first B rows of a data set CSV, preprocessed with the configured graph method, repeated in order if
 * the file has fewer), float32:
 * graph/basis preparation, forward (inference), forward + backward (training tape).
 */
@Command(name = "encoder", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Benchmark the DimeNet++ encoder + latent on batches of real crystals (float32).",
                "Prints, per batch size, the median of: encoder-graph preparation (triplets, spherical basis),",
                "forward pass (no gradients), forward + backward (training); wall-clock and process CPU time."})
public class BenchEncoderCommand extends BaseCommand {
    @Option(names = "--input", required = true, paramLabel = "CSV",
            description = "Data set CSV with a cif column (e.g. the mptest train.csv).")
    Path input;

    @Option(names = "--config", paramLabel = "FILE|PRESET", defaultValue = "mptest",
            description = "Configuration (YAML file or built-in preset) for preprocessing and model sizes (default: ${DEFAULT-VALUE}).")
    String config;

    @Option(names = "--batch-sizes", split = ",", paramLabel = "B", defaultValue = "32,64",
            description = "Batch sizes to time, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "10",
            description = "Timed repetitions per measurement; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2",
            description = "Untimed warm-up repetitions (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Load these weights (safetensors, official names; other modules' keys ignored) instead of a seeded initialisation.")
    Path weights;

    @Override
    protected int run() {
        if (repeat < 1 || warmup < 0) throw new UserException("--repeat must be >= 1 and --warmup >= 0");
        if (batchSizes.isEmpty() || batchSizes.stream().anyMatch(b -> b < 1)) throw new UserException("--batch-sizes must be positive");
        if (!Files.isRegularFile(input)) throw new UserException("--input: file not found: " + input);
        int threads = common.threads();
        Engine.setThreads(threads);
        Config cfg = ConfigLoader.resolve(config, List.of());
        int maxB = batchSizes.stream().mapToInt(Integer::intValue).max().orElse(1);

        info("preprocessing %s (graph method %s) ...", input, cfg.data().graphMethod());
        List<CrystalRecord> records = new Preprocessor(cfg, threads, false).process(input, i -> {}).kept();
        if (records.isEmpty()) throw new UserException(input + ": no usable crystals");
        if (records.size() < maxB) info("%d crystals: larger batches repeat them in order", records.size());

        ParameterStore store = new ParameterStore(DataType.FLOAT);
        CdvaeModel model = new CdvaeModel(store, cfg.model());
        model.initialise(new Random(common.seed));
        if (weights != null) store.loadSafetensors(weights, true);
        DimeNetPlusPlus enc = model.encoder();

        var out = out();
        out.printf("encoder bench: %s, %d threads, float32, %d timed repeats (median)%n", input.getFileName(), threads, repeat);
        out.printf("%6s %6s %7s %8s  %12s %12s %14s %14s %14s%n", "batch", "atoms", "edges", "triplets", "prepare ms",
                "forward ms", "fwd+bwd ms", "fwd cpu ms", "fwd+bwd cpu ms");
        for (int b : batchSizes) {
            List<CrystalRecord> batch = new ArrayList<>(b);
            for (int i = 0; i < b; i++) batch.add(records.get(i % records.size()));
            double[] prep = new double[repeat], fwd = new double[repeat], both = new double[repeat];
            double[] fwdCpu = new double[repeat], bothCpu = new double[repeat];
            EncoderGraph g = null;
            for (int r = -warmup; r < repeat; r++) {
                long t0 = System.nanoTime();
                if (g != null) g.close();
                g = EncoderGraph.build(graphOf(batch), atomTypes(batch), DimeNetPlusPlus.EMBEDDING_ROWS, enc.sphericalBasis(), DataType.FLOAT, threads);
                INDArray eps = Latent.standardNormal(b, model.latent().dim(), new Random(r), DataType.FLOAT);
                long c1 = cpuNanos(), t1 = System.nanoTime();
                try (Tape t = Tape.inference()) {
                    model.encode(t, g, eps, Probe.NONE);
                }
                long c2 = cpuNanos(), t2 = System.nanoTime();
                try (Tape t = Tape.training()) {
                    Latent.Encoded e = model.encode(t, g, eps, Probe.NONE);
                    Tensor loss = t.add(t.mean(t.mul(e.z(), e.z())), Latent.kl(t, e.mu(), e.logVar()));
                    t.backward(loss);
                }
                long c3 = cpuNanos(), t3 = System.nanoTime();
                store.zeroGrad();
                eps.close();
                if (r >= 0) {
                    prep[r] = (t1 - t0) / 1e6;
                    fwd[r] = (t2 - t1) / 1e6;
                    both[r] = (t3 - t2) / 1e6;
                    fwdCpu[r] = (c2 - c1) / 1e6;
                    bothCpu[r] = (c3 - c2) / 1e6;
                }
            }
            out.printf("%6d %6d %7d %8d  %12.1f %12.1f %14.1f %14.1f %14.1f%n", b, g.numAtoms(), g.numEdges(), g.numTriplets(),
                    median(prep), median(fwd), median(both), median(fwdCpu), median(bothCpu));
            out.flush();
            g.close();
        }
        return ExitCode.OK;
    }

    private static int[] atomTypes(List<CrystalRecord> batch) {
        int n = 0;
        for (CrystalRecord c : batch) n += c.numAtoms();
        int[] z = new int[n];
        int o = 0;
        for (CrystalRecord c : batch) {
            System.arraycopy(c.atomTypes(), 0, z, o, c.numAtoms());
            o += c.numAtoms();
        }
        return z;
    }

    /** The batched encoder graph of the records' precomputed edges (atom indices offset per crystal). */
    static CrystalGraph graphOf(List<CrystalRecord> batch) {
        List<CrystalGraph> parts = new ArrayList<>(batch.size());
        for (CrystalRecord c : batch) {
            double[][] m = c.lattice().matrix();
            double[] lat = new double[9];
            for (int r = 0; r < 3; r++) System.arraycopy(m[r], 0, lat, 3 * r, 3);
            double[] f = c.fracCoords(), cart = new double[f.length];
            for (int i = 0; i < c.numAtoms(); i++) {
                for (int k = 0; k < 3; k++) cart[3 * i + k] = f[3 * i] * lat[k] + f[3 * i + 1] * lat[3 + k] + f[3 * i + 2] * lat[6 + k];
            }
            parts.add(CrystalGraph.fromEdges(lat, cart, new int[]{c.numAtoms()}, c.edgeSource(), c.edgeTarget(), c.edgeImages(),
                    new int[]{c.numEdges()}));
        }
        return CrystalGraph.concat(parts);
    }
}

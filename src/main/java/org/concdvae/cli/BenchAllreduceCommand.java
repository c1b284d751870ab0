package org.concdvae.cli;

import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.dist.Collective;
import org.concdvae.dist.Collectives;
import org.concdvae.model.ConCdvae;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * {@code concdvae bench allreduce}: times the gradient all-reduce of data-parallel training between the ranks of an
 * MPI job, at the size of a model's parameters, so that the scaling model of docs/distributed.md can be filled in
 * with the cluster's own interconnect.
 */
@Command(name = "allreduce", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Time the all-reduce of one training step's gradients (float32, the size of a model's",
                "parameters) between the ranks of an MPI job; prints the median time and the bus bandwidth",
                "2(P-1)/P x bytes / time, the figure docs/distributed.md's scaling model takes.",
                "Examples:",
                "  mpirun -np 2 ./concdvae bench allreduce",
                "  srun -N 4 --ntasks-per-node=1 ./concdvae bench allreduce --config mp20 --repeats 50"})
public class BenchAllreduceCommand extends BaseCommand {
    @Override
    protected boolean runsUnderMpi() { return true; }

    @Option(names = "--config", paramLabel = "FILE|PRESET", defaultValue = "mp20",
            description = "Model whose parameter count sets the size (default: ${DEFAULT-VALUE}).")
    String config;

    @Option(names = "--floats", paramLabel = "N", description = "Size in float32 values instead of a model's parameter count.")
    Long floats;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "20", description = "Timed all-reduces (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Override
    protected int run() {
        if (repeats < 1) throw new UserException("--repeats must be at least 1");
        long n = floats != null ? floats : parameters(config);
        if (n < 1 || n > Integer.MAX_VALUE - 8) throw new UserException("--floats must be between 1 and 2^31 - 9, got " + n);
        Collective job = Collectives.detect();
        float[] g = new float[(int) n];
        for (int i = 0; i < g.length; i++) g[i] = (i % 1000) * 1e-3f;
        double[] ms = new double[repeats];
        for (int r = -3; r < repeats; r++) {   // three untimed rounds connect the ranks and fault the buffers in
            job.barrier();
            long t0 = System.nanoTime();
            job.allreduceSum(g);
            if (r >= 0) ms[r] = (System.nanoTime() - t0) / 1e6;
        }
        int p = job.size();
        double med = BenchSupport.median(ms), bytes = 4.0 * n;
        String bus = p > 1 ? String.format(java.util.Locale.ROOT, "; bus bandwidth %.2f GB/s", 2.0 * (p - 1) / p * bytes / (med / 1e3) / 1e9) : "";
        info("allreduce of %,d float32 (%.1f MB) over %d rank(s), %s: median %.2f ms (min %.2f)%s",
                n, bytes / 1e6, p, job.library(), med, java.util.Arrays.stream(ms).min().orElse(med), bus);
        if (p == 1) info("one process: nothing crosses a network; launch with mpirun -np N or srun to time the interconnect");
        return ExitCode.OK;
    }

    private static long parameters(String config) {
        Config cfg = ConfigLoader.resolve(config, List.of());
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new ConCdvae(store, cfg.model());
        return store.trainableCount();
    }
}

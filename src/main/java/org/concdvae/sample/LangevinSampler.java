package org.concdvae.sample;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.crystal.Lattice;
import org.concdvae.model.CdvaeModel;
import org.concdvae.model.CrystalStatsHeads;
import org.concdvae.model.GemNetDecoder;
import org.concdvae.nn.GemNetGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.function.ToIntFunction;

/**
 * Annealed Langevin dynamics of the official {@code langevin_dynamics} (generation.md §4), one update at a time:
 * <pre>
 *   η = step_lr · (σ_i / σ_last)²,  ξ = N(0,I) · √(2η)
 *   (ŝ, logits) = decoder([z_con ; τ(i)], frac, types, lattice)      (graph rebuilt from the current coordinates)
 *   cart = frac·L + η · ŝ/σ_i + ξ ;  frac = (cart · L⁻¹) mod 1 ;  types = argmax(logits) + 1
 * </pre>
 * plus the ground-truth-free {@code decode_stats} that fix the number of atoms and the lattice of each crystal.
 * No gradients (an inference tape). The caller supplies the standard normal draws, so a run is reproducible for a seed.
 */
public final class LangevinSampler {
    /** {@code step_lr} of the shipped generation configs. */
    public static final double DEFAULT_STEP_LR = 1e-4;

    private final CdvaeModel model;
    private final GemNetDecoder decoder;
    private final double stepLr;
    private final int threads;

    public LangevinSampler(CdvaeModel model, GemNetDecoder decoder, double stepLr, int threads) {
        if (!(stepLr > 0)) throw new IllegalArgumentException("step_lr must be positive, got " + stepLr);
        this.model = model;
        this.decoder = decoder;
        this.stepLr = stepLr;
        this.threads = threads;
    }

    /** Number of atoms and lattice per crystal from {@code z_con} alone (decode_stats without ground truth). */
    public record Stats(int[] numAtoms, INDArray scaledLattice, double[] lengths, double[] angles) {
        /** The lattice of crystal b (official convention, model.md §1). */
        public Lattice lattice(int b) {
            return Lattice.fromParameters(lengths[3 * b], lengths[3 * b + 1], lengths[3 * b + 2], angles[3 * b], angles[3 * b + 1], angles[3 * b + 2]);
        }
    }

    /**
     * {@code n = argmax fc_num_atoms(z_con)} (no guard against 0), {@code s = inverse_scaler(fc_lattice(z_con))},
     * lengths {@code s[:3]·n^⅓}, angles {@code s[3:]} (generation.md §4 steps 1–2).
     *
     * @param scalerMean the lattice scaler's 6 means
     * @param scalerStd  its 6 standard deviations
     */
    public Stats decodeStats(INDArray zCon, double[] scalerMean, double[] scalerStd) {
        return decodeStats(zCon, scalerMean, scalerStd, null);
    }

    /**
     * As {@link #decodeStats(INDArray, double[], double[])}, with the number of atoms of each crystal chosen by
     * {@code numAtoms} from the row of atom-count logits (index k = k atoms) instead of the argmax; the lattice is scaled
     * with the chosen count, as the official {@code decode_stats(z, gt_num_atoms)} does.
     *
     * @param numAtoms null: argmax
     */
    public Stats decodeStats(INDArray zCon, double[] scalerMean, double[] scalerStd, ToIntFunction<double[]> numAtoms) {
        int b = (int) zCon.size(0);
        try (Tape t = Tape.inference()) {
            Tensor z = t.constant(zCon);
            CrystalStatsHeads h = model.heads();
            INDArray logits = h.numAtomsLogits(t, z).value();
            int[] n = new int[b];
            for (int i = 0; i < b; i++) {
                n[i] = numAtoms == null ? logits.getRow(i).argMax().getInt(0)
                        : numAtoms.applyAsInt(logits.getRow(i).castTo(DataType.DOUBLE).toDoubleVector());
            }
            Tensor scaled = h.scaledLattice(t, z);
            INDArray la = CrystalStatsHeads.lengthsAndAngles(t, scaled, n, scalerMean, scalerStd).value();
            double[] lengths = new double[3 * b], angles = new double[3 * b];
            for (int i = 0; i < b; i++) {
                for (int k = 0; k < 3; k++) {
                    lengths[3 * i + k] = la.getDouble(i, k);
                    angles[3 * i + k] = la.getDouble(i, 3 + k);
                }
            }
            return new Stats(n, scaled.value().dup(), lengths, angles);
        }
    }

    /** {@code σ_i} of the model's schedule (as stored, float32). */
    public double sigma(int level) { return model.sigmas().getDouble(level); }

    /** {@code η_i = step_lr · (σ_i/σ_last)²}, rounded as the float32 reference computes it. */
    public double stepSize(int level) {
        INDArray s = model.sigmas();
        float ratio = (float) s.getDouble(level) / (float) s.getDouble(s.length() - 1);
        return (float) (stepLr * (float) (ratio * ratio));
    }

    /** The outcome of one update; arrays are copies owned by the caller. */
    public record Step(double[] frac, int[] types, double[] cart, double[] currentCart, double[] noise,
                       INDArray zTime, INDArray coordDiff, INDArray typeLogits) {}

    /**
     * One Langevin update at noise level {@code level} (also the time counter).
     *
     * @param zCon       {@code [B, latent]} conditioning vectors
     * @param lattices   the lattice of each crystal (fixed during a run)
     * @param numAtoms   atoms per crystal
     * @param frac       current fractional coordinates, 3 per atom
     * @param types      current atomic numbers
     * @param stdNormal  a standard normal draw, 3 per atom (drawn before the decoder call in the reference)
     */
    public Step step(INDArray zCon, int level, Lattice[] lattices, int[] numAtoms, double[] frac, int[] types, double[] stdNormal) {
        int b = numAtoms.length, n = Arrays.stream(numAtoms).sum();
        if (lattices.length != b || frac.length != 3 * n || types.length != n || stdNormal.length != 3 * n || zCon.size(0) != b) {
            throw new IllegalArgumentException("Langevin step: inconsistent batch sizes");
        }
        double sigma = sigma(level);
        double eta = stepSize(level);
        float noiseScale = (float) Math.sqrt((float) (eta * 2));
        double[] lat = new double[9 * b];
        for (int c = 0; c < b; c++) {
            double[][] m = lattices[c].matrix();
            for (int r = 0; r < 3; r++) System.arraycopy(m[r], 0, lat, 9 * c + 3 * r, 3);
        }
        double[] cart = new double[3 * n], noise = new double[3 * n];
        for (int c = 0, a = 0; c < b; c++) {
            for (int i = 0; i < numAtoms[c]; i++, a++) {
                for (int k = 0; k < 3; k++) {
                    cart[3 * a + k] = frac[3 * a] * lat[9 * c + k] + frac[3 * a + 1] * lat[9 * c + 3 + k] + frac[3 * a + 2] * lat[9 * c + 6 + k];
                    noise[3 * a + k] = (float) stdNormal[3 * a + k] * noiseScale;
                }
            }
        }
        DataType type = zCon.dataType();
        double[] levels = new double[b];
        Arrays.fill(levels, level);
        try (GemNetGraph g = decoder.graph(lat, cart, numAtoms, type, threads); Tape t = Tape.inference()) {
            Tensor timeEmb = model.timeEmbedding().forward(t, levels);
            Tensor zTime = t.concat(t.constant(zCon), timeEmb);
            GemNetDecoder.Output out = decoder.forward(t, g, zTime, types, org.concdvae.model.Probe.NONE);
            INDArray pred = out.coordDiff().value();
            double[] p = pred.dup('c').castTo(DataType.DOUBLE).data().asDouble();
            double[] newCart = new double[3 * n], newFrac = new double[3 * n];
            for (int i = 0; i < 3 * n; i++) newCart[i] = cart[i] + eta * (p[i] / sigma) + noise[i];
            for (int c = 0, a = 0; c < b; c++) {
                for (int i = 0; i < numAtoms[c]; i++, a++) {
                    double[] f = lattices[c].toFractional(new double[]{newCart[3 * a], newCart[3 * a + 1], newCart[3 * a + 2]});
                    for (int k = 0; k < 3; k++) newFrac[3 * a + k] = wrap(f[k]);
                }
            }
            INDArray logits = out.typeLogits().value();
            INDArray arg = logits.argMax(1);
            int[] newTypes = new int[n];
            for (int i = 0; i < n; i++) newTypes[i] = arg.getInt(i) + 1;
            arg.close();
            return new Step(newFrac, newTypes, newCart, cart, noise, zTime.value().dup(), pred.dup(), logits.dup());
        }
    }

    /** Python {@code x % 1.0}: in [0, 1). */
    static double wrap(double x) {
        double r = x - Math.floor(x);
        return r >= 1.0 ? 0.0 : r;
    }
}

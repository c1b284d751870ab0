package org.concdvae.verify;

import org.concdvae.crystal.Lattice;
import org.concdvae.io.Safetensors;
import org.concdvae.model.GemNetDecoder;
import org.concdvae.sample.LangevinSampler;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code batch8_langevin_step.safetensors}: one annealed-Langevin update of {@code langevin_dynamics} at level 10
 * (generation.md §4) with the stored {@code z_con}, coordinates, types and normal draw, in the batch's true lattices,
 * and the ground-truth-free {@code decode_stats} (num-atoms argmax, scaled lattice, lengths with the predicted n,
 * angles). Tolerances: decoder outputs rtol 1e-4 + atol 1e-5 (reference/README.md); Cartesian positions (Å) add
 * η/σ ≈ 2.4 times the score error and float32 rounding of ~20 Å values, hence atol 1e-4 + rtol 1e-5; fractional
 * coordinates atol 2e-5, compared modulo 1 (an atom on the cell face may wrap to the other side); lengths 1e-4 Å,
 * angles 1e-3°; integer tensors exact.
 */
public final class LangevinReferenceCheck implements ReferenceCheck {
    public static final String FILE = "batch8_langevin_step.safetensors";
    public static final Tolerance CART = new Tolerance(1e-4, 1e-5);
    public static final Tolerance FRAC = new Tolerance(2e-5, 0);
    public static final Tolerance SCALAR = new Tolerance(0, 1e-6);

    @Override
    public String file() { return FILE; }

    @Override
    public List<Comparison> run(ReferenceSession s) {
        Safetensors ref = s.file(FILE);
        Safetensors heads = s.file(HeadsReferenceCheck.FILE);
        GemNetDecoder dec = DecoderReferenceCheck.loadDecoder(s);
        LangevinSampler sampler = new LangevinSampler(s.model(), dec, LangevinSampler.DEFAULT_STEP_LR, s.threads());
        int level = ref.ints("level")[0];
        int[] numAtoms = s.numAtoms();
        double[] len = s.file(ReferenceSession.INPUTS).doubles("lengths"), ang = s.file(ReferenceSession.INPUTS).doubles("angles");
        Lattice[] lattices = new Lattice[numAtoms.length];
        for (int c = 0; c < lattices.length; c++) {
            lattices[c] = Lattice.fromParameters(len[3 * c], len[3 * c + 1], len[3 * c + 2], ang[3 * c], ang[3 * c + 1], ang[3 * c + 2]);
        }
        INDArray zCon = heads.toNd("z_con", DataType.FLOAT);
        Map<String, Comparison> c = new LinkedHashMap<>();
        LangevinSampler.Step step = sampler.step(zCon, level, lattices, numAtoms, ref.doubles("cur_frac_coords"),
                ref.ints("cur_atom_types"), ref.doubles("noise_std_normal"));
        put(c, s.compare(FILE, "sigma", new double[]{sampler.sigma(level)}, SCALAR));
        put(c, s.compare(FILE, "step_size", new double[]{sampler.stepSize(level)}, SCALAR));
        put(c, s.compare(FILE, "time_emb", step.zTime().get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(zCon.size(1), step.zTime().size(1))).dup('c'), DecoderReferenceCheck.TIME));
        put(c, s.compare(FILE, "z_time", step.zTime(), DecoderReferenceCheck.TIME));
        put(c, s.compare(FILE, "noise_cart", step.noise(), new Tolerance(1e-6, 1e-6)));
        put(c, s.compare(FILE, "pred_cart_coord_diff", step.coordDiff(), DecoderReferenceCheck.ACTIVATIONS));
        put(c, s.compare(FILE, "pred_atom_type_logits", step.typeLogits(), DecoderReferenceCheck.ACTIVATIONS));
        put(c, s.compare(FILE, "cur_cart", step.currentCart(), CART));
        put(c, s.compare(FILE, "new_cart", step.cart(), CART));
        double[] refFrac = ref.doubles("new_frac_coords"), ours = step.frac().clone();
        for (int i = 0; i < ours.length; i++) ours[i] += Math.rint(refFrac[i] - ours[i]);   // compare modulo 1
        put(c, Comparison.of(FILE, "new_frac_coords", refFrac, ours, FRAC));
        put(c, s.compareExact(FILE, "new_atom_types", step.types()));

        LangevinSampler.Stats st = sampler.decodeStats(zCon, heads.doubles("lattice_scaler_means"), heads.doubles("lattice_scaler_stds"));
        put(c, s.compareExact(FILE, "sampling_num_atoms", st.numAtoms()));
        put(c, s.compare(FILE, "sampling_lattice_scaled", st.scaledLattice(), HeadsReferenceCheck.HEADS));
        put(c, s.compare(FILE, "sampling_lengths", st.lengths(), HeadsReferenceCheck.LENGTHS));
        put(c, s.compare(FILE, "sampling_angles", st.angles(), HeadsReferenceCheck.ANGLES));
        put(c, Comparison.input(FILE, "level", "noise level and time counter"));
        put(c, Comparison.input(FILE, "cur_frac_coords", "current coordinates"));
        put(c, Comparison.input(FILE, "cur_atom_types", "current types"));
        put(c, Comparison.input(FILE, "noise_std_normal", "the saved normal draw"));
        return s.complete(FILE, c);
    }

    private static void put(Map<String, Comparison> m, Comparison c) { m.put(c.name(), c); }
}

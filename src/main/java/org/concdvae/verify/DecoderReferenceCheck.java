package org.concdvae.verify;

import org.concdvae.autodiff.Tape;
import org.concdvae.config.ConfigLoader;
import org.concdvae.graph.CrystalGraph;
import org.concdvae.io.Safetensors;
import org.concdvae.model.GemNetDecoder;
import org.concdvae.nn.GemNetGraph;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code batch8_decoder.safetensors}: the GemNet-T decoder on the stored noisy structures (model.md §2.2, §2.3, §11):
 * radius graph before and after symmetrisation, swap index, triplets, bases, every block output, coordinate scores
 * and type logits, float32. Tolerances from reference/README.md: decoder activations and outputs rtol 1e-4 + atol 1e-5,
 * bases atol 1e-5, integer graph tensors exact (same order as the reference); edge geometry (Å, unit vectors,
 * cosines) atol 1e-5.
 */
public final class DecoderReferenceCheck implements ReferenceCheck {
    public static final String FILE = "batch8_decoder.safetensors";
    public static final Tolerance ACTIVATIONS = new Tolerance(1e-5, 1e-4);
    public static final Tolerance BASES = new Tolerance(1e-5, 0);
    public static final Tolerance GEOMETRY = new Tolerance(1e-5, 0);
    /** The time embedding of levels ≤ 49 (reference/README.md). */
    public static final Tolerance TIME = new Tolerance(2e-5, 0);

    @Override
    public String file() { return FILE; }

    /** A float32 decoder with the reference weights ({@code decoder.*} of the session's weights file). */
    public static GemNetDecoder loadDecoder(ReferenceSession s) {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        GemNetDecoder d = new GemNetDecoder(store, s.modelConfig().decoder());
        Safetensors w = s.weights(ReferenceSession.WEIGHTS);
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String name : w.names()) {
            if (!name.startsWith("decoder.")) continue;
            if (store.entry(name) == null) throw new IllegalStateException("decoder weight '" + name + "' has no parameter");
            ParameterStore.Entry e = store.entry(name);
            m.put(name, w.toNd(name, e.array().dataType()));
        }
        store.load(m, s.weightsPath(ReferenceSession.WEIGHTS).toString());
        return d;
    }

    /** Cartesian coordinates of fractional ones in the session's (true) lattices. */
    static double[] cart(ReferenceSession s, double[] frac) {
        int[] n = s.numAtoms();
        double[] lat = s.lattices();
        double[] cart = new double[frac.length];
        for (int c = 0, a = 0; c < n.length; c++) {
            for (int i = 0; i < n[c]; i++, a++) {
                for (int k = 0; k < 3; k++) {
                    cart[3 * a + k] = frac[3 * a] * lat[9 * c + k] + frac[3 * a + 1] * lat[9 * c + 3 + k] + frac[3 * a + 2] * lat[9 * c + 6 + k];
                }
            }
        }
        return cart;
    }

    @Override
    public List<Comparison> run(ReferenceSession s) {
        Safetensors ref = s.file(FILE);
        GemNetDecoder dec = loadDecoder(s);
        double[] cart = cart(s, ref.doubles("noisy_frac_coords"));
        int[] types = ref.ints("rand_atom_types");
        int[] levels = ref.ints("noise_level");
        Map<String, Comparison> c = new LinkedHashMap<>();
        Map<String, INDArray> probe = new LinkedHashMap<>();
        try (GemNetGraph g = dec.graph(s.lattices(), cart, s.numAtoms(), DataType.FLOAT, s.threads());
             Tape t = Tape.inference()) {
            INDArray zt = ref.toNd("z_con_time", DataType.FLOAT);
            GemNetDecoder.Output out = dec.forward(t, g, t.ownedConstant(zt), types, (name, v) -> probe.put(name, v.value().dup()));

            CrystalGraph r = g.radiusGraph, e = g.graph;
            put(c, s.compareExact(FILE, "radius_edge_index", concat(r.source(), r.target())));
            put(c, s.compare(FILE, "radius_to_jimages", toDouble(r.images()), Tolerance.EXACT));
            put(c, s.compareExact(FILE, "radius_num_edges_per_crystal", r.edgesPerCrystal()));
            put(c, s.compareExact(FILE, "edge_index", concat(e.source(), e.target())));
            put(c, s.compareExact(FILE, "neighbors", e.edgesPerCrystal()));
            put(c, s.compare(FILE, "D_st", e.distances(), GEOMETRY));
            put(c, s.compare(FILE, "V_st", g.unitVectors, GEOMETRY));
            put(c, s.compareExact(FILE, "id_swap", e.idSwap()));
            put(c, s.compareExact(FILE, "id3_ba", g.triplets.idBa()));
            put(c, s.compareExact(FILE, "id3_ca", g.triplets.idCa()));
            put(c, s.compareExact(FILE, "id3_ragged_idx", g.triplets.raggedIdx()));
            put(c, s.compare(FILE, "cos_cab", g.triplets.cosAngle(), GEOMETRY));
            put(c, s.compareExact(FILE, "counts", new int[]{g.numAtoms(), r.numEdges(), e.numEdges(), g.numTriplets()}));
            put(c, s.compare(FILE, "rbf", g.rbf, BASES));
            put(c, s.compare(FILE, "rbf_first10", firstRows(g.rbf, 10), BASES));
            put(c, s.compare(FILE, "cbf_rad_first10", firstRows(g.rad3, 10), BASES));
            INDArray sph = g.cbfArray(DataType.FLOAT);
            put(c, s.compare(FILE, "cbf_sph", sph, BASES));
            put(c, s.compare(FILE, "cbf_sph_first10", firstRows(sph, 10), BASES));
            for (Map.Entry<String, INDArray> p : probe.entrySet()) put(c, s.compare(FILE, p.getKey(), p.getValue(), ACTIVATIONS));
            // The reference's out0_E/out0_F are the accumulators E_t/F_st of GemNet's forward, which are updated in
            // place (F_st += F_i) after block 0 returns them, so the stored tensors hold the sums over all blocks.
            for (String k : new String[]{"E", "F"}) {
                INDArray sum = probe.get("out0_" + k).dup();
                for (int i = 1; i <= dec.config().numBlocks(); i++) sum.addi(probe.get("out" + i + "_" + k));
                Comparison x = s.compare(FILE, "out0_" + k, sum, ACTIVATIONS);
                put(c, new Comparison(x.file(), x.name(), x.maxAbs(), x.maxRel(), x.maxRef(), x.tolerance(), x.passed(),
                        false, "the reference holds the in-place accumulated sum over all output blocks"));
            }
            put(c, s.compare(FILE, "pred_cart_coord_diff", out.coordDiff().value(), ACTIVATIONS));
            put(c, s.compare(FILE, "pred_atom_type_logits", out.typeLogits().value(), ACTIVATIONS));

            double[] lv = new double[levels.length];
            for (int i = 0; i < lv.length; i++) lv[i] = levels[i];
            put(c, s.compare(FILE, "time_sinusoidal", s.model().timeEmbedding().sinusoidal(lv, DataType.FLOAT), TIME));
            put(c, s.compare(FILE, "time_emb", s.model().timeEmbedding().forward(t, lv).value(), TIME));
            put(c, s.compare(FILE, "sigmas", s.model().sigmas(), new Tolerance(0, 1e-6)));
            put(c, s.compare(FILE, "type_sigmas", s.model().typeSigmas(), new Tolerance(0, 1e-6)));
        }
        put(c, Comparison.input(FILE, "noise_level", "noise level per crystal"));
        put(c, Comparison.input(FILE, "noisy_frac_coords", "decoder input coordinates"));
        put(c, Comparison.input(FILE, "rand_atom_types", "decoder input atom types"));
        put(c, Comparison.input(FILE, "cart_noise", "the noise that produced the input coordinates"));
        put(c, Comparison.input(FILE, "z_con_time", "decoder latent input"));
        return s.complete(FILE, c);
    }

    static void put(Map<String, Comparison> m, Comparison c) { m.put(c.name(), c); }

    private static int[] concat(int[] a, int[] b) {
        int[] r = new int[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static double[] toDouble(int[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i];
        return r;
    }

    private static INDArray firstRows(INDArray a, int n) {
        return a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, Math.min(n, a.size(0))), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c');
    }
}

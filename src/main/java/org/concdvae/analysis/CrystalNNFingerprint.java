package org.concdvae.analysis;

import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.concdvae.graph.CrystalNN;
import org.concdvae.graph.Neighbor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * matminer's {@code CrystalNNFingerprint.from_preset("ops")}, the structure fingerprint of CDVAE's coverage metrics:
 * for each coordination number 1..24 the CrystalNN likelihood of that CN ("wt"), followed, for CN 1..12, by the
 * order parameters of the motifs typical for that CN, each multiplied by the likelihood (0 where the likelihood is 0;
 * a parameter pymatgen cannot compute counts 0). CN 0 is not a feature. CrystalNN runs with pymatgen's default
 * settings ({@link CrystalNN.Options#defaults()}), as matminer constructs it. The structure fingerprint is the mean of
 * the 61 site features over all sites. Thread-safe.
 */
public final class CrystalNNFingerprint {
    /** One feature: the CN it belongs to, its label (as matminer's feature labels) and its order parameter (null: "wt"). */
    public record Feature(int cn, String label, LocalStructOrderParams op) {}

    public static final int MAX_CN = 24;

    /** The motifs of matminer's {@code cn_target_motif_op} with the parameters of its {@code cn_motif_op_params}. */
    private static final List<Object[]> MOTIFS = List.of(
            op(1, "sgl_bd", "sgl_bd", null),
            op(2, "L-shaped", "bent", Map.of("TA", 0.5, "IGW_TA", 15.15)),
            op(2, "water-like", "bent", Map.of("TA", 0.5802777777777778, "IGW_TA", 13.95)),
            op(2, "bent 120 degrees", "bent", Map.of("TA", 0.666666666667, "IGW_TA", 13.25)),
            op(2, "bent 150 degrees", "bent", Map.of("TA", 0.833333333333333, "IGW_TA", 12.45)),
            op(2, "linear", "bent", Map.of("TA", 1.0, "IGW_TA", 8.667)),
            op(3, "trigonal planar", "tri_plan_max", Map.of("IGW_TA", 17.5, "TA", 0.66666666667, "fac_AA", 1.0, "exp_cos_AA", 2.0)),
            op(3, "trigonal non-coplanar", "tet_max", Map.of("TA", 0.6081734479693927, "IGW_TA", 18.33, "fac_AA", 1.5, "exp_cos_AA", 2.0)),
            op(3, "T-shaped", "T", Map.of("IGW_EP", 15.5, "fac_AA", 1.0, "exp_cos_AA", 2.0)),
            op(4, "square co-planar", "sq_plan_max", Map.of("min_SPP", 2.356194490192345, "IGW_SPP", 13.5, "IGW_EP", 17.7, "w_SPP", 1.0, "fac_AA", 1.0, "exp_cos_AA", 2.0)),
            op(4, "tetrahedral", "tet_max", Map.of("IGW_TA", 18.5, "TA", 0.6081734479693927, "fac_AA", 1.5, "exp_cos_AA", 2.0)),
            op(4, "rectangular see-saw-like", "see_saw_rect", Map.of("min_SPP", 2.356194490192345, "IGW_SPP", 11.5, "IGW_EP", 27.0, "fac_AA", 2.0, "exp_cos_AA", 2.0)),
            op(4, "see-saw-like", "tri_bipyr", Map.of("min_SPP", 2.356194490192345, "IGW_EP", 15.75, "IGW_SPP", 12.75, "fac_AA", 1.5, "exp_cos_AA", 2.0, "w_SPP", 1.0)),
            op(4, "trigonal pyramidal", "tri_pyr", Map.of("IGW_EP", 15.5, "fac_AA", 1.5, "exp_cos_AA", 2.0)),
            op(5, "pentagonal planar", "pent_plan_max", Map.of("TA", 0.6, "IGW_TA", 19.333)),
            op(5, "square pyramidal", "sq_pyr", Map.of("IGW_EP", 14.9, "fac_AA", 2.0, "exp_cos_AA", 2.0)),
            op(5, "trigonal bipyramidal", "tri_bipyr", Map.of("min_SPP", 2.356194490192345, "IGW_SPP", 12.0, "IGW_EP", 16.6, "fac_AA", 1.5, "exp_cos_AA", 2.0, "w_SPP", 1.0)),
            op(6, "hexagonal planar", "hex_plan_max", Map.of("min_SPP", 2.6179938779914944, "IGW_SPP", 7.5, "w_SPP", 1.0, "fac_AA", 1.0, "exp_cos_AA", 2.0, "IGW_TA", 25.0, "TA", 0.16666667)),
            op(6, "octahedral", "oct_max", Map.of("min_SPP", 2.356194490192345, "IGW_SPP", 15.0, "IGW_EP", 18.0, "w_SPP", 1.0, "fac_AA", 2.0, "exp_cos_AA", 2.0)),
            op(6, "pentagonal pyramidal", "pent_pyr", Map.of("IGW_EP", 13.8, "fac_AA", 2.5, "exp_cos_AA", 2.0)),
            op(7, "hexagonal pyramidal", "hex_pyr", Map.of("IGW_EP", 12.5, "fac_AA", 3.0, "exp_cos_AA", 2.0)),
            op(7, "pentagonal bipyramidal", "pent_bipyr", Map.of("min_SPP", 2.356194490192345, "IGW_SPP", 12.5, "IGW_EP", 14.75, "fac_AA", 2.5, "exp_cos_AA", 2.0, "w_SPP", 1.0)),
            op(8, "body-centered cubic", "bcc", Map.of("min_SPP", 2.5261129449194057, "IGW_SPP", 15.0, "w_SPP", 6.0)),
            op(8, "hexagonal bipyramidal", "hex_bipyr", Map.of("min_SPP", 2.356194490192345, "IGW_SPP", 14.1, "IGW_EP", 13.6, "fac_AA", 3.0, "exp_cos_AA", 2.0, "w_SPP", 1.0)),
            op(9, "q2", "q2", null),
            op(9, "q4", "q4", null),
            op(9, "q6", "q6", null),
            op(10, "q2", "q2", null),
            op(10, "q4", "q4", null),
            op(10, "q6", "q6", null),
            op(11, "q2", "q2", null),
            op(11, "q4", "q4", null),
            op(11, "q6", "q6", null),
            op(12, "cuboctahedral", "cuboct_max", Map.of("min_SPP", 2.792526803190927, "IGW_SPP", 28.75, "2", 1.8325957145940461, "w_SPP", 1.8, "4", 1.3089969389957472, "5", 25.5, "6", 31.25)),
            op(12, "q2", "q2", null),
            op(12, "q4", "q4", null),
            op(12, "q6", "q6", null)
    );

    private static final List<Feature> FEATURES;

    static {
        List<Feature> f = new ArrayList<>();
        for (int cn = 1; cn <= MAX_CN; cn++) {
            f.add(new Feature(cn, "wt CN_" + cn, null));
            for (Object[] m : MOTIFS) {
                if ((int) m[0] != cn) continue;
                @SuppressWarnings("unchecked")
                Map<String, Double> params = (Map<String, Double>) m[3];
                f.add(new Feature(cn, m[1] + " CN_" + cn, new LocalStructOrderParams((String) m[2], params)));
            }
        }
        FEATURES = Collections.unmodifiableList(f);
    }

    private static Object[] op(int cn, String label, String type, Map<String, Double> params) {
        return new Object[]{cn, label, type, params};
    }

    private final CrystalNN crystalNN = new CrystalNN(CrystalNN.Options.defaults());

    /** The 61 features in matminer's order. */
    public static List<Feature> features() { return FEATURES; }

    public static int size() { return FEATURES.size(); }

    /** The fingerprint of site n. */
    public double[] site(Structure s, int n) {
        return site(s, n, crystalNN.nnData(s, n));
    }

    /** The fingerprint of site n from its CrystalNN analysis. */
    public double[] site(Structure s, int n, CrystalNN.NNData nn) {
        double[] out = new double[FEATURES.size()];
        double[] centre = s.cartCoord(n);
        Lattice lattice = s.lattice();
        int cachedCn = -1;
        double[][] neigh = null;
        for (int i = 0; i < out.length; i++) {
            Feature f = FEATURES.get(i);
            double wt = nn.cnWeights().getOrDefault(f.cn(), 0.0);
            if (f.op() == null || wt == 0) {
                out[i] = wt;
                continue;
            }
            if (cachedCn != f.cn()) {
                List<Neighbor> nb = nn.cnNeighbors().get(f.cn());
                neigh = new double[nb.size()][];
                for (int k = 0; k < nb.size(); k++) {
                    Neighbor x = nb.get(k);
                    double[] fr = s.fracCoord(x.site());
                    neigh[k] = lattice.toCartesian(new double[]{fr[0] + x.image()[0], fr[1] + x.image()[1], fr[2] + x.image()[2]});
                }
                cachedCn = f.cn();
            }
            double op = f.op().compute(centre, neigh);
            out[i] = Double.isNaN(op) ? 0.0 : wt * op;
        }
        return out;
    }

    /** The structure fingerprint: the mean of the site fingerprints. */
    public double[] structure(Structure s) {
        double[] sum = new double[FEATURES.size()];
        for (int n = 0; n < s.size(); n++) {
            double[] f = site(s, n);
            for (int i = 0; i < sum.length; i++) sum[i] += f[i];
        }
        for (int i = 0; i < sum.length; i++) sum[i] /= s.size();
        return sum;
    }
}

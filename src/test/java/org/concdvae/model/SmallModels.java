package org.concdvae.model;

import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.concdvae.graph.CrystalGraph;
import org.concdvae.graph.RadiusGraph;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Random;

/** Small configurations and crystals for gradient checks (double precision). */
final class SmallModels {
    private SmallModels() {}

    /** A narrow model with one scalar, one class and one vector condition and a scalar and a class predictor. */
    static Config.Model smallConfig() {
        return ConfigLoader.defaults(List.of(
                "data.prop=[e_form, cs, formula]", "data.prelo_prop=[e_form, cs, formula]",
                "model.hidden_dim=6", "model.latent_dim=5", "model.time_emb_dim=4", "data.max_atoms=6",
                "model.encoder.hidden_channels=6", "model.encoder.num_blocks=2", "model.encoder.int_emb_size=4",
                "model.encoder.basis_emb_size=3", "model.encoder.out_emb_channels=7", "model.encoder.num_spherical=3",
                "model.encoder.num_radial=4", "model.encoder.cutoff=4.0",
                "model.conditionmodel.n_features=5", "model.conditionmodel.n_layers=2",
                "model.conditionmodel.condition_embeddings=[{type: scalar, condition_name: e_form, condition_min: -2.0, "
                        + "condition_max: 1.0, grid_spacing: 0.5, n_features: 4, n_layers: 2}, {type: class, condition_name: "
                        + "cs, n_type: 7, n_emb: 3, n_features: 3, n_layers: 1}, {type: vector, condition_name: formula, "
                        + "n_in: 4, n_features: 3, n_layers: 2}]",
                "model.conditionpre.condition_predict=[{type: scalar, condition_name: e_form, condition_min: -2.0, "
                        + "condition_max: 1.0, latent_dim: 5, hidden_dim: 4, out_dim: 1, n_layers: 2, drop: -1}, "
                        + "{type: class, condition_name: cs, n_type: 7, latent_dim: 5, hidden_dim: 4, n_layers: 1, drop: -1}]"
        )).model();
    }

    /** Two small crystals (3 and 2 atoms), radius graph with the given cutoff (12 neighbours at most). */
    static CrystalGraph twoCrystals(double cutoff) {
        return RadiusGraph.build(List.of(structures()), cutoff, 12, 1);
    }

    static Structure[] structures() {
        Structure a = new Structure(Lattice.fromParameters(3.1, 3.4, 3.7, 85, 95, 100), new int[]{8, 14, 26},
                new double[][]{{0.05, 0.1, 0.2}, {0.5, 0.45, 0.55}, {0.8, 0.2, 0.7}});
        Structure b = new Structure(Lattice.fromParameters(2.9, 3.0, 4.1, 90, 92, 118), new int[]{3, 9},
                new double[][]{{0.0, 0.0, 0.0}, {0.4, 0.6, 0.35}});
        return new Structure[]{a, b};
    }

    static int[] atomTypes() { return new int[]{8, 14, 26, 3, 9}; }

    /** Fills every floating tensor of the store with N(0, scale²) (so no layer is trivially zero). */
    static void randomise(ParameterStore s, long seed, double scale) {
        Random r = new Random(seed);
        for (ParameterStore.Entry e : s.entries()) {
            INDArray a = e.array();
            if (!a.dataType().isFPType() || e.name().endsWith("running_var") || e.name().contains("gaussian_expansion")
                    || e.name().endsWith("freq") || e.name().contains("sigmas")) continue;
            double[] v = new double[(int) a.length()];
            for (int i = 0; i < v.length; i++) v[i] = scale * r.nextGaussian();
            a.assign(org.nd4j.linalg.factory.Nd4j.create(v, a.shape(), DataType.DOUBLE).castTo(a.dataType()));
        }
    }
}

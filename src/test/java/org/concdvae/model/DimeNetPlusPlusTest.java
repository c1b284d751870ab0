package org.concdvae.model;

import org.concdvae.autodiff.Engine;
import org.concdvae.autodiff.GradientCheck;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.graph.CrystalGraph;
import org.concdvae.nn.ParameterStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DimeNet++ encoder in double precision at small width: the exact algebraic savings (embedding-table products,
 * readout before the last output layer) equal the direct formulas, and the gradients of the whole encoder (all
 * parameters, including the learnable radial frequencies) match central finite differences.
 */
class DimeNetPlusPlusTest {
    private static DataType savedDefault, savedFloat;
    private static int savedThreads;

    @BeforeAll
    static void doublePrecision() {
        savedDefault = Nd4j.dataType();
        savedFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        // hundreds of tiny forward passes: one thread avoids OpenMP spin-waiting on a loaded machine
        savedThreads = Engine.threads();
        Engine.setThreads(1);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(savedDefault, savedFloat);
        Engine.setThreads(savedThreads);
    }

    private static DimeNetPlusPlus encoder(ParameterStore s) {
        Config.Model cfg = SmallModels.smallConfig();
        return new DimeNetPlusPlus(s.scope("encoder"), cfg.encoder(), cfg.latentDim());
    }

    private static EncoderGraph graph(DimeNetPlusPlus enc) {
        CrystalGraph g = SmallModels.twoCrystals(4.0);
        return EncoderGraph.build(g, SmallModels.atomTypes(), DimeNetPlusPlus.EMBEDDING_ROWS, enc.sphericalBasis(), DataType.DOUBLE, 1);
    }

    @Test
    void readoutFirstPathEqualsPerAtomPath() {
        ParameterStore s = new ParameterStore(DataType.DOUBLE);
        DimeNetPlusPlus enc = encoder(s);
        SmallModels.randomise(s, 1, 0.4);
        try (EncoderGraph g = graph(enc); Tape t = Tape.inference()) {
            assertTrue(g.numTriplets() > 20, "triplets " + g.numTriplets());
            INDArray fast = enc.forward(t, g).value();
            Map<String, INDArray> seen = new HashMap<>();
            INDArray slow = enc.forward(t, g, (n, v) -> seen.put(n, v.value().dup())).value();
            assertEquals(0.0, fast.sub(slow).amaxNumber().doubleValue(), 1e-12);
            assertEquals(2, fast.size(0));
            assertTrue(seen.containsKey("P_block2") && seen.containsKey("x_after_interaction1"), seen.keySet().toString());
        }
    }

    @Test
    void embeddingFromTableProductsEqualsConcatenatedLinear() {
        ParameterStore s = new ParameterStore(DataType.DOUBLE);
        DimeNetPlusPlus enc = encoder(s);
        SmallModels.randomise(s, 2, 0.5);
        try (EncoderGraph g = graph(enc); Tape t = Tape.inference()) {
            Map<String, INDArray> seen = new HashMap<>();
            enc.forward(t, g, (n, v) -> seen.put(n, v.value().dup()));
            // direct form: act(W [emb[Z_i]; emb[Z_j]; act(W_rbf rbf + b_rbf)] + b)
            INDArray table = s.tensor("encoder.emb.emb.weight").value();
            INDArray zi = Nd4j.pullRows(table, 1, g.typeOfTarget().values());
            INDArray zj = Nd4j.pullRows(table, 1, g.typeOfSource().values());
            INDArray r = seen.get("rbf").mmul(s.tensor("encoder.emb.lin_rbf.weight").value().transpose())
                    .addiRowVector(s.tensor("encoder.emb.lin_rbf.bias").value());
            r = Transforms.sigmoid(r, true).muli(r);
            INDArray cat = Nd4j.hstack(zi, zj, r);
            INDArray y = cat.mmul(s.tensor("encoder.emb.lin.weight").value().transpose()).addiRowVector(s.tensor("encoder.emb.lin.bias").value());
            y = Transforms.sigmoid(y, true).muli(y);
            assertEquals(0.0, y.sub(seen.get("emb_out")).amaxNumber().doubleValue(), 1e-12);
        }
    }

    @Test
    void otfGraphUsesTheRadiusGraphOtherwiseTheBatchGraph() {
        Config.Model small = SmallModels.smallConfig();
        Config.Encoder otf = new Config.Encoder(small.encoder().hiddenChannels(), small.encoder().numBlocks(),
                small.encoder().intEmbSize(), small.encoder().basisEmbSize(), small.encoder().outEmbChannels(),
                small.encoder().numSpherical(), small.encoder().numRadial(), true, 4.0, 5,
                small.encoder().envelopeExponent(), small.encoder().numBeforeSkip(), small.encoder().numAfterSkip(),
                small.encoder().numOutputLayers(), "mean");
        DimeNetPlusPlus enc = new DimeNetPlusPlus(new ParameterStore(DataType.DOUBLE).scope("encoder"), otf, 5);
        CrystalGraph batchGraph = SmallModels.twoCrystals(4.0);
        double[] lat = new double[18], cart = new double[15];
        org.concdvae.crystal.Structure[] st = SmallModels.structures();
        for (int c = 0, a = 0; c < 2; c++) {
            double[][] m = st[c].lattice().matrix();
            for (int r = 0; r < 3; r++) System.arraycopy(m[r], 0, lat, 9 * c + 3 * r, 3);
            for (int i = 0; i < st[c].size(); i++, a++) System.arraycopy(st[c].cartCoord(i), 0, cart, 3 * a, 3);
        }
        try (EncoderGraph g = enc.prepare(lat, cart, new int[]{3, 2}, SmallModels.atomTypes(), null, DataType.DOUBLE, 1)) {
            CrystalGraph expected = org.concdvae.graph.RadiusGraph.build(lat, cart, new int[]{3, 2}, 4.0, 5, 1);
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected.source(), g.graph().source());
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected.images(), g.graph().images());
            assertTrue(g.numEdges() < batchGraph.numEdges(), "5 neighbours at most per atom");
        }
        DimeNetPlusPlus pre = new DimeNetPlusPlus(new ParameterStore(DataType.DOUBLE).scope("encoder"), small.encoder(), 5);
        try (EncoderGraph g = pre.prepare(lat, cart, new int[]{3, 2}, SmallModels.atomTypes(), batchGraph, DataType.DOUBLE, 1)) {
            assertTrue(g.graph() == batchGraph);
        }
    }

    @Test
    void crystalWithoutEdgesGivesTheBiasPathOnly() {
        // a 1-atom cell with a cutoff below its shortest image distance: no edges, no triplets (the reference's
        // scatter then yields zero rows, so the output comes from the output blocks' biases alone)
        ParameterStore s = new ParameterStore(DataType.DOUBLE);
        DimeNetPlusPlus enc = encoder(s);
        SmallModels.randomise(s, 4, 0.5);
        org.concdvae.crystal.Structure one = new org.concdvae.crystal.Structure(
                org.concdvae.crystal.Lattice.fromParameters(3, 3, 3, 90, 90, 90), new int[]{11}, new double[][]{{0, 0, 0}});
        CrystalGraph g0 = org.concdvae.graph.RadiusGraph.build(List.of(one), 2.0, 12, 1);
        assertEquals(0, g0.numEdges());
        try (EncoderGraph g = EncoderGraph.build(g0, new int[]{11}, DimeNetPlusPlus.EMBEDDING_ROWS, enc.sphericalBasis(), DataType.DOUBLE, 1);
             Tape t = Tape.training()) {
            Tensor h = enc.forward(t, g);
            assertEquals(1, h.size(0));
            assertTrue(Double.isFinite(h.value().sumNumber().doubleValue()));
            t.backward(t.sum(h));
        }
    }

    @Test
    void encoderGradientsMatchFiniteDifferences() {
        ParameterStore s = new ParameterStore(DataType.DOUBLE);
        DimeNetPlusPlus enc = encoder(s);
        SmallModels.randomise(s, 3, 0.5);
        try (EncoderGraph g = graph(enc)) {
            List<Tensor> params = s.trainable();
            assertEquals(1 + 5 + 3 * 10 + 2 * 24, params.size(), "freq + embedding(5) + 3 output blocks(10) + 2 interaction blocks(24)");
            GradientCheck.Result r = GradientCheck.check(params, t -> enc.forward(t, g),
                    GradientCheck.Options.defaults().maxPerInput(2).tolerance(1e-5, 1e-8));
            assertTrue(r.passed(), r.toString());
            assertTrue(r.checked() >= 150, r.toString());
        }
    }
}

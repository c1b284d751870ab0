package org.concdvae.nn;

import org.concdvae.autodiff.GradientCheck;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.io.InvalidInputException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Blocks: official key names, gradient checks in double precision, store loading rules. */
class BlocksTest {
    private static DataType savedDefault, savedFloat;

    @BeforeAll
    static void doublePrecision() {
        savedDefault = Nd4j.dataType();
        savedFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() { Nd4j.setDefaultDataTypes(savedDefault, savedFloat); }

    private static List<String> keys(ParameterStore s) {
        return new ArrayList<>(s.stateDict().keySet());
    }

    private static Tensor input(long rows, long cols, long seed) {
        Random r = new Random(seed);
        double[] v = new double[(int) (rows * cols)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        return Tensor.parameter(Nd4j.create(v, new long[]{rows, cols}, DataType.DOUBLE));
    }

    private static void check(String what, ParameterStore s, Tensor x, Function<Tape, Tensor> f) {
        List<Tensor> in = new ArrayList<>(s.trainable());
        in.add(x);
        GradientCheck.Result r = GradientCheck.check(in, f, GradientCheck.Options.defaults().maxPerInput(3));
        assertTrue(r.passed(), what + ": " + r);
    }

    @Test
    void mlpKeysFollowBuildMlpIndexing() {
        ParameterStore s = new ParameterStore();
        new Mlp(s, "z_condition", 384, 256, 1, 256);
        assertEquals(List.of("z_condition.0.weight", "z_condition.0.bias", "z_condition.1.weight", "z_condition.1.bias",
                "z_condition.1.running_mean", "z_condition.1.running_var", "z_condition.1.num_batches_tracked",
                "z_condition.3.weight", "z_condition.3.bias"), keys(s));
        ParameterStore p = new ParameterStore();
        new Mlp(p, "mlp", 256, 256, 2, 1);
        assertEquals(List.of("mlp.0", "mlp.1", "mlp.3", "mlp.5"), modules(p));
        ParameterStore q = new ParameterStore();
        new Mlp(q, "dense_net", 15, 64, 3, 64, -1, false);
        assertEquals(List.of("dense_net.0", "dense_net.2", "dense_net.4", "dense_net.6"), modules(q));
        ParameterStore d = new ParameterStore();
        new Mlp(d, "m", 8, 8, 2, 1, 0.5, true);
        assertEquals(List.of("m.0", "m.1", "m.3", "m.6"), modules(d), "dropout shifts the indices");
    }

    private static List<String> modules(ParameterStore s) {
        return keys(s).stream().map(k -> k.substring(0, k.lastIndexOf('.'))).distinct().collect(Collectors.toList());
    }

    @Test
    void gemnetKeys() {
        ParameterStore s = new ParameterStore();
        new GemNetResidual(s.scope("decoder.gemnet.int_blocks.0"), "layers_before_skip.0", 128);
        new Dense(s, "decoder.gemnet.mlp_rbf3", 128, 16, false);
        assertEquals(List.of("decoder.gemnet.int_blocks.0.layers_before_skip.0.dense_mlp.0.linear.weight",
                "decoder.gemnet.int_blocks.0.layers_before_skip.0.dense_mlp.1.linear.weight",
                "decoder.gemnet.mlp_rbf3.linear.weight"), keys(s));
    }

    @Test
    void gradientsOfBlocks() {
        Random r = new Random(1);
        ParameterStore s = new ParameterStore();
        Mlp mlp = new Mlp(s, "mlp", 5, 6, 2, 3).initPyTorch(r);
        Tensor x = input(7, 5, 2);
        check("Mlp norm train", s, x, t -> mlp.forward(t, x));

        ParameterStore s2 = new ParameterStore();
        Mlp mlp2 = new Mlp(s2, "mlp", 5, 6, 3, 2, 0.3, false).initPyTorch(r);
        check("Mlp dropout no-norm", s2, x, t -> mlp2.forward(t, x));

        ParameterStore s3 = new ParameterStore();
        DimeNetResidual res = new DimeNetResidual(s3, "res", 5).initDimeNet(r);
        Init.normal(res.lin1.bias, 0, 0.1, r);
        check("DimeNet ResidualLayer", s3, x, t -> res.forward(t, x));

        ParameterStore s4 = new ParameterStore();
        GemNetResidual gres = new GemNetResidual(s4, "res", 5).initHeOrthogonal(r);
        Dense dense = new Dense(s4, "dense", 5, 4, true).initHeOrthogonal(r);
        check("GemNet Dense + ResidualLayer", s4, x, t -> dense.forward(t, gres.forward(t, x)));

        ParameterStore s5 = new ParameterStore();
        Embedding emb = new Embedding(s5, "emb", 6, 3).initNormal(r);
        Tensor y = input(4, 3, 5);
        check("Embedding", s5, y, t -> t.mul(emb.forward(t, new int[]{5, 0, 0, 2}), y));
    }

    @Test
    void batchNormEvalUsesRunningStatsAndTrainCountsBatches() {
        ParameterStore s = new ParameterStore();
        BatchNorm1d bn = new BatchNorm1d(s, "bn", 2);
        bn.runningMean.assign(Nd4j.createFromArray(1.0, -1.0));
        bn.runningVar.assign(Nd4j.createFromArray(4.0, 0.25));
        INDArray x = Nd4j.create(new double[][]{{3, 0}, {1, -1}});
        try (Tape t = Tape.inference()) {
            INDArray y = bn.forward(t, t.constant(x)).value();
            assertEquals(2 / Math.sqrt(4 + 1e-5), y.getDouble(0, 0), 1e-12);
            assertEquals(1 / Math.sqrt(0.25 + 1e-5), y.getDouble(0, 1), 1e-12);
        }
        assertEquals(0L, bn.numBatchesTracked.getLong(0));
        try (Tape t = Tape.training()) {
            bn.forward(t, t.constant(x));
        }
        assertEquals(1L, bn.numBatchesTracked.getLong(0));
        assertEquals(DataType.LONG, bn.numBatchesTracked.dataType());
    }

    @Test
    void strictLoadListsEveryProblemAtOnce() {
        ParameterStore s = new ParameterStore();
        new Linear(s, "a", 3, 2, true);
        new Linear(s, "b", 3, 2, false);
        Map<String, INDArray> file = new java.util.LinkedHashMap<>();
        file.put("a.weight", Nd4j.zeros(DataType.DOUBLE, 2, 3));
        file.put("a.bias", Nd4j.zeros(DataType.DOUBLE, 3));
        file.put("c.weight", Nd4j.zeros(DataType.DOUBLE, 1));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.load(file, "w.safetensors"));
        String m = e.getMessage();
        assertTrue(m.contains("missing 1 [b.weight]") && m.contains("unexpected 1 [c.weight]") && m.contains("a.bias (file [3], model [2])"), m);
        assertTrue(!m.contains("\n"), "one line");
    }

    @Test
    void safetensorsRoundTripKeepsNamesAliasesAndTypes(@TempDir Path dir) throws Exception {
        Random r = new Random(3);
        ParameterStore s = new ParameterStore();
        new Mlp(s, "head", 4, 5, 1, 2).initPyTorch(r);
        new Dense(s, "out.layers.0", 5, 5, true).initHeOrthogonal(r);
        s.aliasScope("out.seq_energy", "out.layers");
        s.frozen("sigmas", 50).value().assign(0.5);
        Path f = dir.resolve("w.safetensors");
        s.saveSafetensors(f, Map.of("note", "test"));
        ParameterStore t = new ParameterStore();
        new Mlp(t, "head", 4, 5, 1, 2);
        new Dense(t, "out.layers.0", 5, 5, true);
        t.aliasScope("out.seq_energy", "out.layers");
        t.frozen("sigmas", 50);
        t.loadSafetensors(f);
        for (Map.Entry<String, INDArray> e : s.stateDict().entrySet()) {
            INDArray other = t.stateDict().get(e.getKey());
            assertEquals(e.getValue().dataType() == DataType.LONG ? DataType.LONG : DataType.DOUBLE, other.dataType(), e.getKey());
            assertEquals(e.getValue(), other, e.getKey());
        }
        assertTrue(t.stateDict().containsKey("out.seq_energy.0.linear.weight"));
        assertEquals(1, t.trainable().stream().filter(x -> x.length() == 25).count(), "alias is not a second parameter");
    }

    @Test
    void initialisersHaveTheDocumentedMoments() {
        Random r = new Random(5);
        ParameterStore s = new ParameterStore();
        Tensor w = s.parameter("w", 128, 64);
        Init.heOrthogonal(w, r);
        INDArray row = w.value().getRow(0);
        assertEquals(0.0, row.meanNumber().doubleValue(), 1e-9);
        assertEquals(1.0 / 64, row.var(true, 0).getDouble(0) + 0.0, 5e-6, "unbiased variance 1/fan_in per output row");
        Tensor g = s.parameter("g", 64, 128);
        Init.glorotOrthogonal(g, 2.0, r);
        assertEquals(2.0 / (64 + 128), g.value().reshape(g.length()).var(true, 0).getDouble(0), 1e-9);
        // orthogonality of the raw orthogonal init (rows orthonormal when rows < cols)
        double[] o = Init.orthogonal(3, 5, r);
        INDArray q = Nd4j.create(o, new long[]{3, 5}, DataType.DOUBLE);
        assertTrue(q.mmul(q.transpose()).equalsWithEps(Nd4j.eye(3), 1e-12));
        Tensor w3 = s.parameter("w3", 7, 128, 16);
        Init.heOrthogonal(w3, r);
        INDArray col = w3.value().get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.point(3)).dup().reshape(7 * 128);
        assertEquals(1.0 / (7 * 128), col.var(true, 0).getDouble(0), 0.005 / (7 * 128), "(eps 1e-6 in the standardisation lowers it slightly)");
    }
}

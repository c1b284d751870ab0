package org.concdvae.eval;

import org.concdvae.autodiff.GradientCheck;
import org.concdvae.autodiff.Tensor;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.concdvae.io.InvalidInputException;
import org.concdvae.model.ElementFeatures;
import org.concdvae.nn.ParameterStore;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Double-precision gradient checks (central differences, rtol 1e-5) of a CGCNN convolution layer and of the whole
 * small model (regression in training mode with BatchNorm batch statistics; the classifier in eval mode under the
 * slow tag; a sample of elements per tensor to keep the suite short); plus the strict state_dict mapping (missing and mis-shaped tensors reported together).
 */
class CgcnnGradientTest {
    private DataType oldFloat;

    @BeforeEach
    void doublePrecision() {
        oldFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach
    void restore() { Nd4j.setDefaultDataTypes(oldFloat, oldFloat); }

    static List<CgcnnGraph> crystals() {
        Structure nacl = new Structure(Lattice.fromParameters(3.99, 3.99, 3.99, 60, 60, 60), new int[]{11, 17},
                new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}});
        Structure cscl = new Structure(Lattice.fromParameters(4.12, 4.12, 4.3, 90, 90, 90), new int[]{55, 17},
                new double[][]{{0, 0, 0}, {0.5, 0.52, 0.47}});
        Structure o2 = new Structure(Lattice.fromParameters(5.1, 4.4, 6.2, 84, 95, 101), new int[]{8, 8, 22},
                new double[][]{{0.1, 0.2, 0.3}, {0.31, 0.15, 0.45}, {0.7, 0.6, 0.9}});
        return List.of(CgcnnGraph.of(nacl), CgcnnGraph.of(cscl), CgcnnGraph.of(o2));
    }

    static ElementFeatures features() { return ElementFeatures.load(SharedData.path("evaluators/atom_init.json")); }

    private static void randomiseBatchNorm(ParameterStore store, Random r) {
        for (ParameterStore.Entry e : store.entries()) {
            INDArray a = e.array();
            if (e.name().endsWith("running_mean") || e.name().endsWith(".bias") && e.name().contains(".bn")) {
                for (long i = 0; i < a.length(); i++) a.putScalar(i, 0.2 * r.nextGaussian());
            } else if (e.name().endsWith("running_var") || e.name().endsWith(".weight") && e.name().contains(".bn")) {
                for (long i = 0; i < a.length(); i++) a.putScalar(i, 0.5 + r.nextDouble());
            }
        }
    }

    @Test
    void convLayerGradient() {
        try (CgcnnBatch b = CgcnnBatch.of(crystals(), features(), DataType.DOUBLE)) {
            ParameterStore store = new ParameterStore(DataType.DOUBLE);
            Cgcnn.ConvLayer conv = new Cgcnn.ConvLayer(store.scope("convs"), "0", 6, CgcnnGraph.GAUSS_CENTERS);
            Random r = new Random(5);
            conv.fcFull.initPyTorch(r);
            randomiseBatchNorm(store, r);
            Tensor v = Tensor.parameter(Nd4j.rand(DataType.DOUBLE, b.atoms(), 6).subi(0.5));
            List<Tensor> inputs = new ArrayList<>(store.trainable());
            inputs.add(v);
            for (boolean training : new boolean[]{true, false}) {
                GradientCheck.Result res = GradientCheck.check(inputs, t -> conv.forward(t, v, t.constant(b.bondFeatures()), b),
                        GradientCheck.Options.defaults().training(training).maxPerInput(8));
                System.out.println("conv layer (training " + training + "): " + res);
                assertTrue(res.passed(), res.toString());
            }
        }
    }

    /** Regression model in training mode (BatchNorm batch statistics). */
    @Test
    void wholeModelGradient() {
        checkModel(false, true);
    }

    /** Classification model (log-softmax) in eval mode (running statistics). */
    @Test
    void classifierGradientEvalMode() {
        checkModel(true, false);
    }

    private static void checkModel(boolean classification, boolean training) {
        try (CgcnnBatch b = CgcnnBatch.of(crystals(), features(), DataType.DOUBLE)) {
            Cgcnn model = new Cgcnn(new ParameterStore(DataType.DOUBLE), new Cgcnn.Args(92, CgcnnGraph.GAUSS_CENTERS, 6, 2, 5, 2, classification))
                    .initialise(new Random(9));
            randomiseBatchNorm(model.store(), new Random(10));
            GradientCheck.Result res = GradientCheck.check(model.store().trainable(), t -> model.forward(t, b),
                    GradientCheck.Options.defaults().training(training).maxPerInput(2));
            System.out.println("model (classification " + classification + ", training " + training + "): " + res);
            assertTrue(res.passed(), res.toString());
        }
    }

    @Test
    void strictStateDictListsEveryProblem() {
        Cgcnn model = new Cgcnn(new ParameterStore(DataType.FLOAT), Cgcnn.Args.defaults(false));
        Map<String, INDArray> sd = new LinkedHashMap<>(model.store().stateDict());
        sd.remove("convs.1.bn2.running_var");
        sd.put("fc_out.weight", Nd4j.zeros(DataType.FLOAT, 2, 128));
        sd.put("fcs.0.weight", Nd4j.zeros(DataType.FLOAT, 128, 128));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> model.store().load(sd, "x.pth.tar"));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("convs.1.bn2.running_var") && e.getMessage().contains("fc_out.weight")
                && e.getMessage().contains("fcs.0.weight"), e.getMessage());
        assertEquals(42, model.store().stateDict().size(), "the official state_dict has 42 tensors");
    }
}

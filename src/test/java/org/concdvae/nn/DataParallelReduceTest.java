package org.concdvae.nn;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.dist.SingleProcess;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DataParallel#reduce}: the gradient it leaves is, bit for bit, what ND4J gives for the replicas' gradients added
 * in replica order and divided by the number of micro-batches (also for divisors that are not powers of two, where a
 * multiplication by the reciprocal would round differently); parameters reached by some replicas only, or by none, are
 * handled; one non-finite element anywhere skips the step and clears every gradient.
 */
class DataParallelReduceTest {
    static INDArray random(DataType type, long seed, long... shape) {
        Random r = new Random(seed);
        INDArray a = Nd4j.create(type, shape);
        for (long i = 0; i < a.length(); i++) a.putScalar(i, r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
        return a;
    }

    /** Replica r's loss: Σ w·c_r (+ Σ late·c_r[0] for replicas ≥ 2 only), so its gradient of w is c_r. */
    static void backward(DataParallel dp, int r, Tensor w, Tensor late, INDArray c) {
        try (Tape t = dp.tape(r, Tape.training())) {
            Tensor loss = t.sum(t.mul(w, t.constant(c)));
            if (r >= 2) loss = t.add(loss, t.sum(t.mul(late, t.constant(c.getRow(0).dup()))));
            t.backward(loss);
        }
    }

    @Test
    void reduceEqualsNd4jSumInReplicaOrderThenDivision() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            for (int microSteps : new int[]{1, 2}) {
                ParameterStore store = new ParameterStore(type);
                Tensor w = store.parameter("w", 3, 1000), late = store.parameter("late", 1000), unused = store.parameter("unused", 7);
                int replicas = 3;
                INDArray[] perReplica = new INDArray[replicas];
                INDArray expectLate = null;
                try (DataParallel dp = new DataParallel(store, replicas, SingleProcess.INSTANCE)) {
                    for (int m = 0; m < microSteps; m++) {
                        for (int r = 0; r < replicas; r++) {
                            INDArray c = random(type, 100L * m + r, 3, 1000);
                            backward(dp, r, w, late, c);
                            // each replica accumulates its micro-steps in its own gradient, as a backward pass does
                            perReplica[r] = perReplica[r] == null ? c.dup() : perReplica[r].addi(c);
                            if (r == 2) expectLate = expectLate == null ? c.getRow(0).dup() : expectLate.addi(c.getRow(0));
                        }
                    }
                    INDArray expectW = perReplica[0].dup();
                    for (int r = 1; r < replicas; r++) expectW.addi(perReplica[r]);
                    // ND4J: the replicas' gradients added in replica order, then one divi
                    expectW.divi(replicas * microSteps);
                    expectLate.divi(replicas * microSteps);
                    assertTrue(dp.reduce(microSteps, false));
                    String what = type + ", " + microSteps + " micro-step(s)";
                    assertArrayEquals(expectW.data().asDouble(), w.grad().dup('c').data().asDouble(), what);
                    assertArrayEquals(expectLate.data().asDouble(), late.grad().dup('c').data().asDouble(), what);
                    assertNull(unused.grad(), "no replica reached it: " + what);
                }
            }
        }
    }

    @Test
    void balancedSharesDealLargestFirstToTheLightestReplicaWithRoom() {
        // costs (1 9 1 8 1 1) over 2 replicas of 3: 9 -> A, 8 -> B, then the 1s in batch order to the lighter (a tie
        // to A): #0 -> B (9/9), #2 -> A (10/9), #4 -> B (full), #5 -> A
        int[][] s = DataParallel.balancedShares(new int[]{1, 9, 1, 8, 1, 1}, 2);
        assertArrayEquals(new int[]{1, 2, 5}, s[0]);
        assertArrayEquals(new int[]{0, 3, 4}, s[1]);
        // counts follow slice(): 7 items over 3 replicas -> 2, 2, 3; every item once
        int[][] t = DataParallel.balancedShares(new int[]{5, 5, 5, 5, 5, 5, 5}, 3);
        assertArrayEquals(new int[]{0, 3}, t[0]);
        assertArrayEquals(new int[]{1, 4}, t[1]);
        assertArrayEquals(new int[]{2, 5, 6}, t[2]);
        // one replica: the whole batch in order
        assertArrayEquals(new int[]{0, 1, 2}, DataParallel.balancedShares(new int[]{3, 1, 2}, 1)[0]);
        // contiguous halves of a shuffled batch can differ a lot; the balanced shares of these 16 do not
        int[] atoms = {20, 4, 6, 12, 8, 3, 5, 16, 2, 10, 4, 6, 8, 1, 2, 3};
        int[][] h = DataParallel.balancedShares(atoms, 2);
        int a = 0, b = 0;
        for (int i : h[0]) a += atoms[i];
        for (int i : h[1]) b += atoms[i];
        assertTrue(Math.abs(a - b) <= 1, a + " vs " + b);
    }

    @Test
    void oneNonFiniteElementSkipsTheStepAndClearsEveryGradient() {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        Tensor w = store.parameter("w", 3, 1000), late = store.parameter("late", 1000);
        try (DataParallel dp = new DataParallel(store, 3, SingleProcess.INSTANCE)) {
            for (int r = 0; r < 3; r++) {
                INDArray c = random(DataType.FLOAT, r, 3, 1000);
                if (r == 1) c.putScalar(2, 777, Float.POSITIVE_INFINITY);
                backward(dp, r, w, late, c);
            }
            assertFalse(dp.reduce(1, false));
            assertNull(w.grad());
            assertNull(late.grad());
            // the next step starts clean: replica buffers were cleared too
            for (int r = 0; r < 3; r++) backward(dp, r, w, late, random(DataType.FLOAT, 10 + r, 3, 1000));
            assertTrue(dp.reduce(1, false));
        }
    }
}

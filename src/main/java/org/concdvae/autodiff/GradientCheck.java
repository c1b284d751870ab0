package org.concdvae.autodiff;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Finite-difference check of the tape's gradients (central differences), meant for double precision.
 * A non-scalar output {@code y} is reduced to {@code Σ y ⊙ R} with a fixed random {@code R}, so every output element
 * contributes. An element passes when {@code |analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|)}.
 * Each evaluation uses a fresh tape with the same random seed, so dropout masks are identical across evaluations.
 */
public final class GradientCheck {
    private GradientCheck() {}

    /** Outcome: the worst element and the counts. */
    public record Result(boolean passed, int checked, int failed, double maxAbsError, double maxRelError, String worst) {
        @Override
        public String toString() {
            return (passed ? "passed" : "FAILED") + " (" + checked + " elements, " + failed + " failed, max abs err "
                    + String.format("%.3g", maxAbsError) + ", max rel err " + String.format("%.3g", maxRelError) + "; worst " + worst + ")";
        }
    }

    /** Options: step, tolerances, training mode, and a cap on elements per input (0 = all). */
    public record Options(double eps, double rtol, double atol, boolean training, int maxPerInput) {
        public static Options defaults() { return new Options(1e-6, 1e-5, 1e-8, true, 0); }

        public Options training(boolean t) { return new Options(eps, rtol, atol, t, maxPerInput); }

        public Options tolerance(double r, double a) { return new Options(eps, r, a, training, maxPerInput); }

        public Options maxPerInput(int m) { return new Options(eps, rtol, atol, training, m); }
    }

    public static Result check(List<Tensor> inputs, Function<Tape, Tensor> f) {
        return check(inputs, f, Options.defaults());
    }

    /**
     * Checks the gradient of {@code f} with respect to every element of every input. Inputs must be
     * {@link Tensor#parameter parameters} (their gradients outlive the tape) and should be double precision.
     */
    public static Result check(List<Tensor> inputs, Function<Tape, Tensor> f, Options o) {
        for (Tensor t : inputs) {
            if (!t.isParameter()) throw new IllegalArgumentException("gradient check inputs must be Tensor.parameter(...)");
            if (t.value().dataType() != DataType.DOUBLE) throw new IllegalArgumentException("gradient check needs DOUBLE inputs");
            t.zeroGrad();
        }
        INDArray[] weight = new INDArray[1];
        INDArray[] analytic = new INDArray[inputs.size()];
        try (Tape tape = Tape.of(true, o.training).random(new Random(7))) {
            Tensor y = f.apply(tape);
            Tensor loss = y;
            if (y.length() != 1) {
                Random r = new Random(11);
                double[] w = new double[(int) y.length()];
                for (int i = 0; i < w.length; i++) w[i] = r.nextDouble() * 2 - 1;
                weight[0] = Nd4j.create(w, y.shape(), y.value().dataType());
                loss = tape.sum(tape.mul(y, tape.constant(weight[0])));
            }
            tape.backward(loss);
            for (int i = 0; i < inputs.size(); i++) {
                INDArray g = inputs.get(i).grad();
                analytic[i] = g == null ? Nd4j.zerosLike(inputs.get(i).value()) : g.dup();
            }
        }
        int checked = 0, failed = 0;
        double maxAbs = 0, maxRel = 0;
        String worst = "-";
        double worstScore = -1;
        Random pick = new Random(3);
        for (int i = 0; i < inputs.size(); i++) {
            INDArray v = inputs.get(i).value();
            long n = v.length();
            long[] positions;
            if (o.maxPerInput > 0 && n > o.maxPerInput) {
                positions = new long[o.maxPerInput];
                for (int k = 0; k < positions.length; k++) positions[k] = (long) (pick.nextDouble() * n);
            } else {
                positions = new long[(int) n];
                for (int k = 0; k < n; k++) positions[k] = k;
            }
            INDArray flat = v.reshape(v.length());
            INDArray aflat = analytic[i].reshape(n);
            for (long p : positions) {
                double orig = flat.getDouble(p);
                flat.putScalar(p, orig + o.eps);
                double fp = evaluate(f, o, weight[0]);
                flat.putScalar(p, orig - o.eps);
                double fm = evaluate(f, o, weight[0]);
                flat.putScalar(p, orig);
                double num = (fp - fm) / (2 * o.eps);
                double an = aflat.getDouble(p);
                double abs = Math.abs(an - num);
                double scale = Math.max(Math.abs(an), Math.abs(num));
                double rel = scale == 0 ? 0 : abs / scale;
                checked++;
                boolean ok = abs <= o.atol + o.rtol * scale;
                if (!ok) failed++;
                maxAbs = Math.max(maxAbs, abs);
                if (abs > o.atol) maxRel = Math.max(maxRel, rel);
                double score = abs / (o.atol + o.rtol * scale);
                if (score > worstScore) {
                    worstScore = score;
                    worst = "input " + i + " " + Arrays.toString(v.shape()) + " element " + p + ": analytic " + an + ", numeric " + num;
                }
            }
        }
        return new Result(failed == 0, checked, failed, maxAbs, maxRel, worst);
    }

    private static double evaluate(Function<Tape, Tensor> f, Options o, INDArray weight) {
        try (Tape tape = Tape.of(false, o.training).random(new Random(7))) {
            Tensor y = f.apply(tape);
            if (weight == null) return y.item();
            return y.value().mul(weight).sumNumber().doubleValue();
        }
    }
}

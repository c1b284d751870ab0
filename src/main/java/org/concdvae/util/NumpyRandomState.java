package org.concdvae.util;

/**
 * NumPy's legacy {@code numpy.random.RandomState} (MT19937) for the one draw the official timing protocol makes:
 * {@code RandomState(seed).choice(n, size, replace)}. Without replacement that is the first {@code size} entries of
 * {@code permutation(n)} (a Fisher–Yates shuffle from the end with masked rejection sampling of 32-bit words); with
 * replacement it is {@code randint(0, n, size)}, which uses the same masked rejection. Benchmarks use it to time the
 * very crystals the official timings used.
 */
public final class NumpyRandomState {
    private final int[] mt = new int[624];
    private int pos;

    /** {@code RandomState(seed)} for a seed in [0, 2^32). */
    public NumpyRandomState(long seed) {
        if (seed < 0 || seed > 0xffffffffL) throw new IllegalArgumentException("seed must be in [0, 2^32), got " + seed);
        mt[0] = (int) seed;
        for (int i = 1; i < 624; i++) mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        pos = 624;
    }

    /** The next 32-bit output of MT19937, as an unsigned value. */
    public long nextUint32() {
        if (pos >= 624) twist();
        int y = mt[pos++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    private void twist() {
        for (int i = 0; i < 624; i++) {
            int y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
            mt[i] = mt[(i + 397) % 624] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
        }
        pos = 0;
    }

    /** A uniform integer in [0, max] by masked rejection (NumPy's {@code random_interval} for max &lt; 2^32). */
    long interval(long max) {
        if (max == 0) return 0;
        long mask = max;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        long v;
        while ((v = nextUint32() & mask) > max) { /* reject */ }
        return v;
    }

    /** {@code choice(n, size, replace)} with uniform probabilities. */
    public int[] choice(int n, int size, boolean replace) {
        int[] out = new int[size];
        if (replace) {
            for (int i = 0; i < size; i++) out[i] = (int) interval(n - 1);
            return out;
        }
        if (size > n) throw new IllegalArgumentException("cannot take " + size + " of " + n + " without replacement");
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = (int) interval(i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        System.arraycopy(p, 0, out, 0, size);
        return out;
    }
}

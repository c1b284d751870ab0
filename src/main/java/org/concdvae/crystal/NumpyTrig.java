package org.concdvae.crystal;

/**
 * {@code np.sin}, {@code np.cos} and {@code np.arccos} on float64 exactly as NumPy 1.24 computes them on a CPU with
 * AVX-512 (the reference oracles were made that way): NumPy then dispatches these ufuncs to Intel's SVML kernels
 * ({@code __svml_sin8}, {@code __svml_cos8}, {@code __svml_acos8}, the "low accuracy", under 4 ulp variants). Their
 * results are not correctly rounded, so {@link Math#sin} and friends differ from them in the last bit for roughly
 * two thirds of crystal cells, and pymatgen's {@code Lattice.from_parameters} then gives another lattice matrix in
 * the last bit. That is enough to reorder neighbours at tied distances (CGCNN keeps the first 12 after a stable
 * sort), so {@link Lattice#fromParameters} uses these functions.
 *
 * <p>Each function replays the kernel's main path operation by operation: Cody–Waite reduction by π with a
 * three-part π, a minimax polynomial in Horner form, every step a correctly rounded multiply, add or fused
 * multiply-add ({@link Math#fma}). The constants are the kernels' table values. {@code acos} uses the hardware
 * estimate {@code vrsqrt14pd} of 1/√y, whose output depends only on the exponent's parity and the top 15 bits of
 * the significand: it is a piecewise-linear table of 2 × 32 segments, {@link #rsqrt14}. The segment coefficients were
 * fitted to the instruction's output for all 2 × 2¹⁵ input classes and checked exhaustively against it, plus 5·10⁷
 * random inputs; the three functions agree bit for bit with the SVML kernels on 10⁶ random arguments each.
 * Arguments the main paths do not cover (|x| ≥ 2²⁴ for sin and cos, |x| > 1 or NaN for acos, infinities) fall back
 * to {@link Math}; crystal angles never get there.
 */
public final class NumpyTrig {
    private NumpyTrig() {}

    private static final double INV_PI = Double.longBitsToDouble(0x3fd45f306dc9c883L);
    private static final double PI1 = Double.longBitsToDouble(0x400921fb54442d18L);
    private static final double PI2 = Double.longBitsToDouble(0x3ca1a62633145c06L);
    private static final double PI3 = Double.longBitsToDouble(0x395c1cd129024e09L);

    // ---- sin: x = N·π + R, sin x = (−1)^N · (R + R³·P(R²))
    private static final double SIN_SHIFTER = 0x1.8p52;
    private static final double SIN_MAX = 0x1p24;
    private static final double[] SIN_POLY = {   // R³ … R¹⁵ coefficients
            Double.longBitsToDouble(0xbfc55555555554a8L), Double.longBitsToDouble(0x3f8111111110a573L),
            Double.longBitsToDouble(0xbf2a01a019a659ddL), Double.longBitsToDouble(0x3ec71de3806add1aL),
            Double.longBitsToDouble(0xbe5ae6355aaa4a53L), Double.longBitsToDouble(0x3de60e6bee01d83eL),
            Double.longBitsToDouble(0xbd69f1517e9f65f0L)};

    /** {@code np.sin(x)} for float64 (NumPy 1.24, AVX-512). */
    public static double sin(double x) {
        if (!(Math.abs(x) <= SIN_MAX)) return Math.sin(x);
        if (x == 0) return x;
        double shifted = Math.fma(x, INV_PI, SIN_SHIFTER);              // N in the last bits
        long sign = Double.doubleToRawLongBits(shifted) << 63;          // (−1)^N
        double n = shifted - SIN_SHIFTER;
        double r = Math.fma(-n, PI1, x);
        r = Math.fma(-PI2, n, r);
        double r2 = r * r;                                              // before the third π part, as the kernel does
        r = Math.fma(-PI3, n, r);
        double p = Math.fma(SIN_POLY[6], r2, SIN_POLY[5]);
        double r3 = r * r2;
        for (int k = 4; k >= 0; k--) p = Math.fma(r2, p, SIN_POLY[k]);
        double res = Math.fma(r3, p, r);
        return Double.longBitsToDouble(Double.doubleToRawLongBits(res) ^ sign);
    }

    // ---- cos: |x| = (N + ½)·π − R', cos x = (−1)^N · (t + t·R'²·P(R'²)), t = R' reduced by the third π part
    private static final double COS_SHIFTER = 0x1p52;
    private static final long COS_MAX_N = 8388606;
    private static final double COS_TINY = 0x1p-27;
    private static final double C832 = Double.longBitsToDouble(0xbfc55555555554a7L);
    private static final double C960 = Double.longBitsToDouble(0x3f8111111110a4a8L);
    private static final double C1024 = Double.longBitsToDouble(0xbf2a01a019a5b87bL);
    private static final double C1088 = Double.longBitsToDouble(0x3ec71de38030fea0L);
    private static final double C1152 = Double.longBitsToDouble(0xbe5ae63546002231L);
    private static final double C1216 = Double.longBitsToDouble(0x3de60e6857a2f220L);
    private static final double C1280 = Double.longBitsToDouble(0xbd69f0d60811aac8L);

    /** {@code np.cos(x)} for float64 (NumPy 1.24, AVX-512). */
    public static double cos(double x) {
        double ax = Math.abs(x);
        if (!(ax <= SIN_MAX)) return Math.cos(x);
        // the kernel rounds |x|/π + 2⁵² towards zero: N = floor(|x|·(1/π)) of the exact product
        double prod = ax * INV_PI;
        double nf = Math.floor(prod);
        if (prod == nf && Math.fma(ax, INV_PI, -prod) < 0) nf -= 1;
        long n = (long) nf;
        if (n > COS_MAX_N) return Math.cos(x);
        if (ax < COS_TINY) return 1.0;
        double h = nf + 0.5;                                            // (2⁵² + N) − (2⁵² − ½), exact
        double r = Math.fma(h, PI1, -ax);
        r = Math.fma(PI2, h, r);
        double r2 = r * r;
        double t = Math.fma(PI3, h, r);
        double p = Math.fma(C1280, r2, C1216);
        p = Math.fma(r2, p, C1152);
        p = Math.fma(r2, p, C1088);
        p = Math.fma(r2, p, C1024);
        double ts = (n & 1) == 0 ? t : -t;
        p = Math.fma(r2, p, C960);
        double tr2 = ts * r2;
        p = Math.fma(r2, p, C832);
        return Math.fma(tr2, p, ts);
    }

    // ---- acos: with z = min(x², (1 − |x|)/2), acos = π/2 − (x + x·z·P(z)) for |x| < ½, else 2·√z·(1 + z·P(z))
    // (subtracted from π when x < 0); √ from the rsqrt14 estimate refined by a polynomial in its error.
    private static final double TINY = 0x1p-255;
    private static final double S448 = Double.longBitsToDouble(0xbf918000993b24c3L);
    private static final double S512 = Double.longBitsToDouble(0x3fa400006f70d42dL);
    private static final double S576 = Double.longBitsToDouble(0xbfb7fffffffffe97L);
    private static final double S640 = Double.longBitsToDouble(0x3fcfffffffffff9dL);
    private static final double A704 = Double.longBitsToDouble(0x3fa07520c70eb909L);
    private static final double A768 = Double.longBitsToDouble(0xbf90fb17f7dbb0edL);
    private static final double A832 = Double.longBitsToDouble(0x3f943f44bfbc3baeL);
    private static final double A896 = Double.longBitsToDouble(0x3f7a583395d45ed5L);
    private static final double A960 = Double.longBitsToDouble(0x3f88f8dc2afccad6L);
    private static final double A1024 = Double.longBitsToDouble(0x3f8c6dbbcb88bd57L);
    private static final double A1088 = Double.longBitsToDouble(0x3f91c6dcf538ad2eL);
    private static final double A1152 = Double.longBitsToDouble(0x3f96e89cebdefaddL);
    private static final double A1216 = Double.longBitsToDouble(0x3f9f1c72e13ad8beL);
    private static final double A1280 = Double.longBitsToDouble(0x3fa6db6db3b445f8L);
    private static final double A1344 = Double.longBitsToDouble(0x3fb333333337e0deL);
    private static final double A1408 = Double.longBitsToDouble(0x3fc555555555529cL);
    private static final double PI = Double.longBitsToDouble(0x400921fb54442d18L);
    private static final double HALF_PI = Double.longBitsToDouble(0x3ff921fb54442d18L);

    /** {@code np.arccos(x)} for float64 (NumPy 1.24, AVX-512). */
    public static double acos(double x) {
        if (!(Math.abs(x) <= 1)) return Math.acos(x);
        double nx = -Math.abs(x);
        double y = Math.fma(nx, 0.5, 0.5);
        double x2 = nx * nx;
        double rs = y < TINY ? 0.0 : rsqrt14(y);
        double z = x2 < y ? x2 : y;
        boolean sqrtBranch = !(z < y);
        boolean negative = x < z;
        double twoY = y + y;
        double rs2 = rs * rs;
        double s = twoY * rs;                                           // ≈ 2√y
        double e = Math.fma(twoY, rs2, -2.0);                           // 2(y·rs² − 1)
        double corr = Math.fma(S448, e, S512);
        double se = s * e;
        corr = Math.fma(e, corr, S576);
        corr = Math.fma(e, corr, S640);
        double sqrt2y = Math.fma(-se, corr, s);
        double t = sqrtBranch ? sqrt2y : nx;
        double z2 = z * z, z4 = z2 * z2;
        double a = Math.fma(A832, z, A896), b = Math.fma(A704, z, A768);
        b = Math.fma(z2, b, a);
        double c = Math.fma(A960, z, A1024), d = Math.fma(A1088, z, A1152);
        c = Math.fma(z2, c, d);
        double g = Math.fma(A1216, z, A1280), h = Math.fma(A1344, z, A1408);
        b = Math.fma(z4, b, c);
        b = Math.fma(z2, b, g);
        b = Math.fma(z2, b, h);
        b = z * b;
        double ts = Double.longBitsToDouble(Double.doubleToRawLongBits(t) ^ (Double.doubleToRawLongBits(x) & Long.MIN_VALUE));
        double base = sqrtBranch ? (negative ? PI : 0.0) : HALF_PI;
        return base + Math.fma(b, ts, ts);
    }

    /**
     * {@code vrsqrt14pd} for a positive normal y: 16-bit estimate of 1/√y. With y = 2^E·1.f, the estimate is
     * {@code (RA[p][i]·2⁷ − RB[p][i]·j) >> 9} units of 2⁻¹⁷ scaled by 2^(−(E−p)/2), where p = E mod 2, i the top 5
     * and j the next 10 bits of f; an exact power of 4 gives the exact root.
     */
    static double rsqrt14(double y) {
        long bits = Double.doubleToRawLongBits(y);
        int exp = (int) ((bits >>> 52) & 0x7ff) - 1023;
        long frac = bits & 0xfffffffffffffL;
        int p = exp & 1;
        if (frac == 0 && p == 0) return Math.scalb(1.0, -exp / 2);
        int i = (int) (frac >>> 47), j = (int) ((frac >>> 37) & 1023);
        long v = (RA[p][i] * 128 - RB[p][i] * j) >> 9;
        return Math.scalb((double) v, -17 - (exp - p) / 2);
    }

    private static final long[][] RA = {
            {524265, 516257, 508613, 501298, 494286, 487559, 481101, 474897, 468922, 463169, 457623, 452276, 447106, 442106,
                    437279, 432603, 428071, 423683, 419423, 415288, 411277, 407379, 403592, 399907, 396319, 392827, 389430,
                    386110, 382879, 379734, 376655, 373658},
            {370709, 365049, 359644, 354468, 349516, 344759, 340193, 335801, 331581, 327515, 323589, 319805, 316149, 312618,
                    309201, 305899, 302695, 299587, 296575, 293657, 290819, 288062, 285380, 282776, 280242, 277773, 275367,
                    273022, 270741, 268509, 266336, 264214}};
    private static final long[][] RB = {
            {1001, 955, 915, 877, 841, 807, 775, 747, 719, 693, 669, 647, 625, 603, 585, 567, 549, 533, 517, 501, 487, 473, 461,
                    449, 437, 425, 415, 403, 393, 385, 375, 367},
            {707, 675, 647, 619, 595, 571, 549, 527, 509, 491, 473, 457, 441, 427, 413, 401, 389, 377, 365, 355, 345, 335, 325,
                    317, 309, 301, 293, 285, 279, 271, 265, 259}};
}

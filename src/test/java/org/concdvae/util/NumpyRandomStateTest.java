package org.concdvae.util;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Draws of NumPy 2.4 (legacy RandomState), printed by numpy itself, reproduced exactly. */
class NumpyRandomStateTest {
    @Test
    void choiceWithoutReplacementIsThePermutationPrefix() {
        assertArrayEquals(new int[]{49, 8, 65, 31, 22, 23, 45, 12, 33, 50, 52, 66, 28, 30, 2, 27, 21, 51, 32, 15, 40, 61, 53, 46,
                48, 47, 64, 16, 57, 56, 14, 6}, new NumpyRandomState(32).choice(69, 32, false));
        int[] b64 = new NumpyRandomState(64).choice(69, 64, false);
        assertArrayEquals(new int[]{22, 62, 40, 42, 21, 19, 17, 28, 1, 23}, java.util.Arrays.copyOf(b64, 10));
        assertEquals(31, b64[63]);
    }

    @Test
    void choiceWithReplacementIsRandint() {
        int[] b = new NumpyRandomState(100).choice(69, 100, true);
        assertArrayEquals(new int[]{8, 24, 67, 48, 10, 52, 53, 66, 14, 34, 24, 15}, java.util.Arrays.copyOf(b, 12));
        assertEquals(55, b[99]);
    }

    @Test
    void rawOutputsMatchMt19937() {
        // numpy: RandomState(5).randint(0, 2**32, size=3, dtype=np.uint64) takes one 32-bit word per value
        NumpyRandomState r = new NumpyRandomState(5);
        assertEquals(953453411L, r.nextUint32());
        assertEquals(236996814L, r.nextUint32());
        assertEquals(3739766767L, r.nextUint32());
    }
}

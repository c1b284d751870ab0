package org.concdvae.crystal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mutated CIFs (truncation, deleted or duplicated lines, random bytes and tokens): the reader either returns
 * structures or throws a one-line {@link InvalidStructureException}; no other exception, no hang.
 */
class CifReaderFuzzTest {
    private static final String[] TOKENS = {"loop_", "data_x", "_cell_length_a", "'", "\"", ";", "\n;\n", "?", ".",
            "1e999", "-5", "0", "nan", "x,y", "_atom_site_fract_x", "Xx", "#", "(", "1.0(", "save_", "global_", "\u0000"};

    @Test
    void mutatedCifsFailCleanly() throws Exception {
        Random rnd = new Random(11);
        var rows = OracleRows.geometry();
        List<String> seeds = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += 20) seeds.add(rows.get(i).get("cif"));
        seeds.add(CifReaderTest.resource("nacl_fm-3m.cif"));
        seeds.add(CifReaderTest.resource("rutile_uncertainties.cif"));
        seeds.add(CifReaderTest.resource("multi_block.cif"));
        int ok = 0, rejected = 0, slowestLen = 0;
        double slowest = 0;
        long t0 = System.nanoTime();
        for (int trial = 0; trial < 2000; trial++) {
            String text = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
            long ts = System.nanoTime();
            try {
                List<Structure> all = CifReader.readAll(text, "fuzz");
                for (Structure s : all) {
                    assertTrue(s.size() > 0);
                    assertTrue(s.volume() > 0);
                }
                ok++;
            } catch (InvalidStructureException e) {
                assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), e.getMessage());
                assertTrue(e.getMessage().startsWith("fuzz"), e.getMessage());
                rejected++;
            } catch (RuntimeException | StackOverflowError e) {
                fail("trial " + trial + ": " + e + " on input:\n" + text, e);
            }
            double dt = (System.nanoTime() - ts) / 1e9;
            if (dt > slowest) {
                slowest = dt;
                slowestLen = trial;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("fuzz: %d parsed, %d rejected in %.1f s (slowest %.1f ms, trial %d)%n", ok, rejected, seconds,
                slowest * 1e3, slowestLen);
        assertTrue(rejected > 300 && ok > 300, "both outcomes exercised: " + ok + " / " + rejected);
    }

    private static String mutate(String s, Random rnd) {
        StringBuilder sb = new StringBuilder(s);
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits && sb.length() > 0; e++) {
            int pos = rnd.nextInt(sb.length());
            switch (rnd.nextInt(6)) {
                case 0 -> sb.setLength(pos); // truncate
                case 1 -> sb.deleteCharAt(pos);
                case 2 -> sb.insert(pos, TOKENS[rnd.nextInt(TOKENS.length)]);
                case 3 -> sb.insert(pos, (char) rnd.nextInt(256));
                case 4 -> { // delete a line
                    int a = sb.lastIndexOf("\n", pos), b = sb.indexOf("\n", pos);
                    if (a >= 0 && b > a) sb.delete(a, b);
                }
                default -> { // duplicate a line
                    int a = sb.lastIndexOf("\n", pos), b = sb.indexOf("\n", pos);
                    if (a >= 0 && b > a) sb.insert(b, sb.substring(a, b));
                }
            }
        }
        return sb.toString();
    }
}

package org.concdvae.crystal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * VASP 5 POSCAR text: comment, scale 1.0, lattice vectors (rows), element symbols line, counts line, {@code Direct}
 * fractional coordinates. VASP assigns species by contiguous blocks, so sites are grouped by element (elements in
 * order of first appearance, sites keep their relative order). This class only builds text; write files with
 * {@code org.concdvae.io.AtomicFiles#writeString}.
 */
public final class PoscarWriter {
    private PoscarWriter() {}

    public static String write(Structure s) {
        return write(s, s.composition().formulaWithSpaces());
    }

    /** @param comment first line (newlines are replaced by blanks) */
    public static String write(Structure s, String comment) {
        Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < s.size(); i++) groups.computeIfAbsent(s.atomicNumber(i), k -> new ArrayList<>()).add(i);
        StringBuilder sb = new StringBuilder();
        sb.append(comment == null ? "" : comment.replace('\n', ' ').replace('\r', ' ')).append('\n');
        sb.append("1.0\n");
        for (int r = 0; r < 3; r++) {
            sb.append(String.format(Locale.ROOT, "  %22.16f  %22.16f  %22.16f\n", s.lattice().get(r, 0),
                    s.lattice().get(r, 1), s.lattice().get(r, 2)));
        }
        StringBuilder symbols = new StringBuilder(), counts = new StringBuilder();
        for (Map.Entry<Integer, List<Integer>> g : groups.entrySet()) {
            symbols.append(' ').append(Element.of(g.getKey()).symbol());
            counts.append(' ').append(g.getValue().size());
        }
        sb.append(symbols).append('\n').append(counts).append('\n').append("Direct\n");
        for (Map.Entry<Integer, List<Integer>> g : groups.entrySet()) {
            String sym = Element.of(g.getKey()).symbol();
            for (int i : g.getValue()) {
                double[] f = s.fracCoord(i);
                sb.append(String.format(Locale.ROOT, "  %.16f  %.16f  %.16f %s\n", f[0], f[1], f[2], sym));
            }
        }
        return sb.toString();
    }
}

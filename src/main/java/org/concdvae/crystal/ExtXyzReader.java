package org.concdvae.crystal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads extended XYZ files, one structure per frame (several frames: a trajectory, e.g. the {@code sample} command's
 * own {@link ExtXyzWriter} output). Each frame: the atom count; a comment line of {@code key=value} pairs (values
 * bare or in double quotes) that must hold {@code Lattice="ax ay az bx by bz cx cy cz"}; one line per atom with the
 * columns {@code Properties} declares (default {@code species:S:1:pos:R:3}). Only the species and the Cartesian
 * positions (Å) are used; other columns (forces, magnetic moments, ...) are not part of the structure. A frame without
 * a lattice (plain XYZ: a molecule) or with {@code pbc} other than {@code "T T T"} is refused: it is not a 3D crystal.
 */
public final class ExtXyzReader {
    private ExtXyzReader() {}

    /** One frame: the structure or the one-line reason it was refused. {@code index} counts from 1. */
    public record Frame(int index, Map<String, String> info, Structure structure, String error) {
        public boolean ok() { return error == null; }
    }

    /**
     * All frames. A frame whose count line or atom lines cannot be delimited ends the file with an
     * {@link InvalidStructureException} (the frames after it cannot be found); a frame that can be delimited but
     * not read (unknown element, no lattice) becomes a {@link Frame} with its error.
     */
    public static List<Frame> read(String text, String where) {
        if (text == null || text.isBlank()) throw new InvalidStructureException(where + ": empty XYZ input");
        if (text.indexOf('\0') >= 0) throw new InvalidStructureException(where + ": binary content (not an XYZ file)");
        String[] lines = text.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
        List<Frame> frames = new ArrayList<>();
        int ln = 0;
        while (ln < lines.length) {
            if (lines[ln].isBlank()) {
                ln++;
                continue;
            }
            String countText = lines[ln].trim();
            int n;
            try {
                n = Integer.parseInt(countText);
            } catch (NumberFormatException e) {
                throw new InvalidStructureException(where + ", line " + (ln + 1) + ": expected the atom count of frame "
                        + (frames.size() + 1) + ", found '" + CifSyntax.abbreviate(countText) + "' (not an XYZ file?)");
            }
            if (n <= 0) throw new InvalidStructureException(where + ", line " + (ln + 1) + ": frame " + (frames.size() + 1) + " has " + n + " atoms");
            int usable = lines.length - (lines[lines.length - 1].isBlank() ? 1 : 0);
            if (ln + 1 + n >= usable) {
                throw new InvalidStructureException(where + ", line " + (ln + 1) + ": frame " + (frames.size() + 1)
                        + " declares " + n + " atoms but the file ends before them (truncated?)");
            }
            int index = frames.size() + 1;
            String at = where + ", frame " + index + " (line " + (ln + 1) + ")";
            Map<String, String> info = new LinkedHashMap<>();
            try {
                info = keyValues(lines[ln + 1], at);
                frames.add(new Frame(index, info, frame(lines, ln + 2, n, info, at), null));
            } catch (InvalidStructureException e) {
                frames.add(new Frame(index, info, null, e.getMessage()));
            }
            ln += 2 + n;
        }
        if (frames.isEmpty()) throw new InvalidStructureException(where + ": no frames");
        return frames;
    }

    private static Structure frame(String[] lines, int first, int n, Map<String, String> info, String at) {
        String lat = info.get("lattice");
        if (lat == null) {
            throw new InvalidStructureException(at + ": no Lattice= on the comment line (plain XYZ of a molecule is not a crystal)");
        }
        String pbc = info.get("pbc");
        if (pbc != null && !pbc.trim().replaceAll("\\s+", " ").equalsIgnoreCase("T T T")) {
            throw new InvalidStructureException(at + ": pbc=\"" + pbc + "\" (only 3D periodic frames are crystals)");
        }
        String[] lv = lat.trim().split("\\s+");
        if (lv.length != 9) throw new InvalidStructureException(at + ": Lattice needs 9 numbers, has " + lv.length);
        double[][] m = new double[3][3];
        for (int k = 0; k < 9; k++) m[k / 3][k % 3] = number(lv[k], at, "Lattice value");
        // Properties=name:type:columns:...; find species (S:1) and pos (R:3)
        String props = info.getOrDefault("properties", "species:S:1:pos:R:3");
        String[] p = props.split(":");
        if (p.length % 3 != 0) throw new InvalidStructureException(at + ": malformed Properties '" + CifSyntax.abbreviate(props) + "'");
        int col = 0, speciesCol = -1, posCol = -1, width = 0;
        for (int k = 0; k < p.length; k += 3) {
            int cols;
            try {
                cols = Integer.parseInt(p[k + 2]);
            } catch (NumberFormatException e) {
                throw new InvalidStructureException(at + ": malformed Properties '" + CifSyntax.abbreviate(props) + "'");
            }
            if (p[k].equalsIgnoreCase("species") && p[k + 1].equals("S") && cols == 1) speciesCol = col;
            if (p[k].equalsIgnoreCase("pos") && p[k + 1].equals("R") && cols == 3) posCol = col;
            col += cols;
        }
        width = col;
        if (speciesCol < 0 || posCol < 0) {
            throw new InvalidStructureException(at + ": Properties '" + CifSyntax.abbreviate(props) + "' lacks species:S:1 or pos:R:3");
        }
        int[] z = new int[n];
        double[][] cart = new double[n][3];
        for (int i = 0; i < n; i++) {
            String[] t = lines[first + i].trim().split("\\s+");
            String where = at + ", atom " + (i + 1);
            if (t.length < width) throw new InvalidStructureException(where + ": " + t.length + " columns, Properties declare " + width);
            try {
                z[i] = Element.fromSymbol(t[speciesCol]).z();
            } catch (InvalidStructureException e) {
                throw new InvalidStructureException(where + ": unknown element '" + CifSyntax.abbreviate(t[speciesCol]) + "'");
            }
            for (int k = 0; k < 3; k++) cart[i][k] = number(t[posCol + k], where, "position");
        }
        Lattice lattice = Lattice.fromMatrix(m);
        if (!(lattice.volume() > CifReader.MIN_VOLUME)) throw new InvalidStructureException(at + ": Lattice has zero volume");
        return Structure.fromCartesian(lattice, z, cart);
    }

    /** The comment line's {@code key=value} pairs, keys lower-cased; values may be double-quoted. */
    static Map<String, String> keyValues(String line, String at) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0, n = line.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(line.charAt(i))) i++;
            if (i >= n) break;
            int k0 = i;
            while (i < n && line.charAt(i) != '=' && !Character.isWhitespace(line.charAt(i))) i++;
            String key = line.substring(k0, i).toLowerCase(java.util.Locale.ROOT);
            if (i >= n || line.charAt(i) != '=') {
                out.put(key, "T"); // a bare key is a true flag
                continue;
            }
            i++;
            String value;
            if (i < n && (line.charAt(i) == '"' || line.charAt(i) == '\'')) {
                char q = line.charAt(i);
                int end = line.indexOf(q, i + 1);
                if (end < 0) throw new InvalidStructureException(at + ": unclosed quote in the comment line");
                value = line.substring(i + 1, end);
                i = end + 1;
            } else {
                int v0 = i;
                while (i < n && !Character.isWhitespace(line.charAt(i))) i++;
                value = line.substring(v0, i);
            }
            out.put(key, value);
        }
        return out;
    }

    private static double number(String s, String at, String what) {
        if (s.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
            double v = Double.parseDouble(s);
            if (Double.isFinite(v)) return v;
        }
        throw new InvalidStructureException(at + ": " + what + " '" + CifSyntax.abbreviate(s) + "' is not a finite number");
    }
}

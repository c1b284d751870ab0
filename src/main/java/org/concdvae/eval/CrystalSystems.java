package org.concdvae.eval;

import org.concdvae.io.InvalidInputException;

import java.util.List;
import java.util.Locale;

/** Crystal-system names in the Con-CDVAE class order (data.CrystalSystem codes 0..6) and target parsing. */
final class CrystalSystems {
    static final List<String> NAMES = List.of("triclinic", "trigonal", "monoclinic", "orthorhombic", "tetragonal", "hexagonal", "cubic");

    private CrystalSystems() {}

    /** A target given as a class code 0..6 or a name. */
    static String parse(String target) {
        String t = target.trim().toLowerCase(Locale.ROOT);
        if (NAMES.contains(t)) return t;
        try {
            double d = Double.parseDouble(t);
            int code = (int) d;
            if (code == d && code >= 0 && code < NAMES.size()) return NAMES.get(code);
        } catch (NumberFormatException ignored) {
            // falls through to the error
        }
        throw new InvalidInputException("crystal_system target '" + target + "' is neither a class code 0..6 nor one of " + NAMES);
    }
}

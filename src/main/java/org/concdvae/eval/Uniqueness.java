package org.concdvae.eval;

/**
 * Share of distinct structures: number of StructureMatcher groups (pymatgen {@code group_structures}, ltol 0.2,
 * stol 0.3, angle_tol 5) over the number of structurally valid samples, which are the ones grouped.
 */
public final class Uniqueness extends Metric {
    public Uniqueness(String group, int groups, int grouped) {
        super("uniqueness", group, "StructureMatcher groups / structurally valid samples (" + groups + "/" + grouped + ")",
                percent(groups, grouped), "%", grouped == 0 ? "no structurally valid sample" : "");
    }
}

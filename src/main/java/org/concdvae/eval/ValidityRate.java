package org.concdvae.eval;

import java.util.List;

/** CDVAE's structural, compositional (SMACT) or overall validity rate; unreadable samples count as invalid. */
public final class ValidityRate extends Metric {
    public enum Kind { STRUCTURAL, COMPOSITIONAL, BOTH }

    private ValidityRate(Kind kind, String group, double value) {
        super(switch (kind) {
                    case STRUCTURAL -> "struct_validity";
                    case COMPOSITIONAL -> "comp_validity";
                    case BOTH -> "validity";
                }, group, switch (kind) {
                    case STRUCTURAL -> "share with all interatomic distances >= 0.5 Å and volume >= 0.1 Å³";
                    case COMPOSITIONAL -> "share passing SMACT charge neutrality + electronegativity";
                    case BOTH -> "share structurally and compositionally valid";
                }, value, "%", "");
    }

    public static ValidityRate of(Kind kind, String group, List<SampleResult> samples) {
        long k = samples.stream().filter(s -> switch (kind) {
            case STRUCTURAL -> s.structValid();
            case COMPOSITIONAL -> s.compValid();
            case BOTH -> s.structValid() && s.compValid();
        }).count();
        return new ValidityRate(kind, group, percent(k, samples.size()));
    }
}

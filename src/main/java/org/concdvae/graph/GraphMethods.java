package org.concdvae.graph;

import org.concdvae.crystal.Structure;
import org.concdvae.io.InvalidInputException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Registry of the graph methods that {@code data.graph_method} may name. {@code radius} is the periodic radius graph
 * of model.md §2.2 with the encoder's cutoff and neighbour limit ({@code otf_graph} semantics, precomputed);
 * {@code crystalnn} and {@code mindistance} are pymatgen's {@code StructureGraph} bonds with
 * {@code CrystalNN(distance_cutoffs=None, x_diff_weight=-1, porous_adjustment=False)} and {@code MinimumDistanceNN()}
 * (model.md §2.1; they ignore the radius parameters); {@code none} gives no edges.
 */
public final class GraphMethods {
    /** Parameters a method may use: the radius graph's cutoff (Å) and neighbour limit. */
    public record Params(double cutoff, int maxNeighbors) {}

    /** Every name the official configs use plus {@code radius}, whether or not implemented in this build. */
    public static final List<String> KNOWN = List.of("crystalnn", "mindistance", "radius", "none");

    private static final Map<String, Function<Params, GraphMethod>> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put("crystalnn", p -> new Bonds("crystalnn", new CrystalNN(CrystalNN.Options.official())));
        FACTORIES.put("mindistance", p -> new Bonds("mindistance", new MinimumDistanceNN()));
        FACTORIES.put("radius", p -> new Radius(p.cutoff(), p.maxNeighbors()));
        FACTORIES.put("none", p -> new None());
    }

    private GraphMethods() {}

    /** True if {@code name} is implemented in this build. */
    public static boolean available(String name) { return FACTORIES.containsKey(name); }

    /**
     * The method called {@code name}; an unknown or unavailable name is an {@link InvalidInputException} naming the
     * config key.
     */
    public static GraphMethod create(String name, Params params) {
        Function<Params, GraphMethod> f = FACTORIES.get(name);
        if (f != null) return f.apply(params);
        if (KNOWN.contains(name)) {
            throw new InvalidInputException("data.graph_method: '" + name + "' is not available in this build; use one of "
                    + String.join(", ", FACTORIES.keySet()));
        }
        throw new InvalidInputException("data.graph_method: unknown graph method '" + name + "' (expected one of "
                + String.join(", ", KNOWN) + ")");
    }

    /** Periodic radius graph (model.md §2.2) used as a precomputed graph. */
    record Radius(double cutoff, int maxNeighbors) implements GraphMethod {
        public String name() { return "radius"; }

        public CrystalGraph build(Structure s) { return RadiusGraph.build(s, cutoff, maxNeighbors); }
    }

    /** Bonds of a pymatgen-style bonding strategy, as a StructureGraph lists them (model.md §2.1). */
    record Bonds(String name, NearNeighbors strategy) implements GraphMethod {
        public CrystalGraph build(Structure s) { return StructureGraph.build(s, strategy).crystalGraph(); }
    }

    /** No edges ({@code graph_method: none}). */
    record None() implements GraphMethod {
        public String name() { return "none"; }

        public CrystalGraph build(Structure s) {
            return new CrystalGraph(new int[]{s.size()}, new int[]{0}, new int[0], new int[0], new int[0], new double[0],
                    new double[0], null);
        }
    }
}

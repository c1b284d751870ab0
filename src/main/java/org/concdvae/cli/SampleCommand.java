package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.autodiff.Engine;
import org.concdvae.config.Config;
import org.concdvae.data.CrystalSystem;
import org.concdvae.dist.Collective;
import org.concdvae.io.StagedDirectory;
import org.concdvae.data.LatticeScaler;
import org.concdvae.model.ConCdvae;
import org.concdvae.model.ElementFeatures;
import org.concdvae.model.LatentPrior;
import org.concdvae.model.ModelDirectory;
import org.concdvae.sample.ConditionFiller;
import org.concdvae.sample.CrystalGenerator;
import org.concdvae.sample.SampleMerge;
import org.concdvae.sample.SampleRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code concdvae sample}: generate crystals with target properties (generation.md). */
@Command(name = "sample", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        subcommands = SampleMergeCommand.class,
        description = {"Generate crystals with target properties: prior latents for the targets,",
                "Predictor filtering (--candidates), annealed Langevin decoding.",
                "Writes cifs/<target>_<k>.cif, samples.csv, samples.extxyz, run.json",
                "(and trajectories/<target>_<k>.extxyz with --save-trajectory) into --out,",
                "streamed per batch. --shard I/N does part I (0-based) of the run's batches",
                "(one job-array task); 'concdvae sample merge --out DIR SHARD_DIR...' joins",
                "the shards (example: scripts/slurm-sample-array.sh). Under mpirun or srun each rank",
                "samples its shard and rank 0 merges them into --out (docs/distributed.md).",
                "Examples:",
                "  concdvae sample --bg 1.5 --fe -1.0 -n 50 --out samples/bg1.5",
                "  concdvae sample --model models/mp20 --targets targets.csv -n 200 --out samples/run1 --seed 7",
                "  mpirun -np 4 ./concdvae sample --model models/mp20 --targets targets.csv -n 200 --out samples/run1",
                "  concdvae sample --model models/mp20 --targets targets.csv -n 200 --shard 0/8 --out samples/shard-0"})
public class SampleCommand extends BaseCommand {
    @Override
    protected boolean runsUnderMpi() { return true; }

    /** Crystal-system names in the data's class order (data.CrystalSystem). */
    static final List<String> SYSTEMS = List.of("triclinic", "trigonal", "monoclinic", "orthorhombic", "tetragonal", "hexagonal", "cubic");

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory (train-step1 + train-prior). Default: the built-in model " + ModelDirectory.BUILTIN
                    + " (small, trained on a 1083-crystal MP-20 sample; conditions formation energy and band gap, strategies "
                    + "default, full and less; docs/default-model.md).")
    Path model;

    @Option(names = "--strategy", paramLabel = "S", defaultValue = "default",
            description = "default (prior_default, all its conditions given), full (prior_full, all given) or less "
                    + "(prior_full, missing conditions filled from training rows) (default: ${DEFAULT-VALUE}).")
    String strategy;

    @Option(names = "--prior", paramLabel = "LABEL", description = "Prior label (default: prior_default for 'default', prior_full otherwise).")
    String priorLabel;

    @Option(names = "--bg", paramLabel = "EV", description = "Target band gap (eV).")
    Double bandGap;

    @Option(names = "--fe", paramLabel = "EV", description = "Target formation energy (eV/atom).")
    Double formationEnergy;

    @Option(names = "--cs", paramLabel = "SYSTEM", description = "Target crystal system: triclinic, monoclinic, orthorhombic, tetragonal, trigonal, hexagonal, cubic (or its class 0-6).")
    String crystalSystem;

    @Option(names = "--sg", paramLabel = "N", description = "Target space-group number (1-230); implies its crystal system unless --cs is given.")
    Integer spaceGroup;

    @Option(names = "--formula", paramLabel = "FORMULA", description = "Target chemical formula, e.g. SrTiO3 (for priors with a 'formula' condition).")
    String formula;

    @Option(names = "--targets", paramLabel = "CSV", description = "Targets, one per row: column 'label' plus property columns (instead of the flags).")
    Path targetsCsv;

    @Option(names = "-n", paramLabel = "N", defaultValue = "200", description = "Crystals per target (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory; required.")
    Path out;

    @Option(names = "--candidates", paramLabel = "N",
            description = "Prior latents per target scored by the Predictor; the best N/-n ratio is kept per batch (default: 100 x -n; -n: no filtering).")
    Integer candidates;

    @Option(names = "--batch-size", paramLabel = "N", description = "Crystals decoded per batch (default: gen.batch_size of the model's config).")
    Integer batchSize;

    @Option(names = "--n-step-each", paramLabel = "N", description = "Langevin steps per noise level (default: gen.n_step_each, 100).")
    Integer nStepEach;

    @Option(names = "--step-lr", paramLabel = "X", description = "Langevin step size factor (default: gen.step_lr, 1e-4).")
    Double stepLr;

    @Option(names = "--min-sigma", paramLabel = "X", description = "Stop at noise levels below this sigma (default: gen.min_sigma, 0).")
    Double minSigma;

    @Option(names = "--levels", paramLabel = "N", description = "Use only the first N noise levels (quick looks; default: all).")
    Integer levels;

    @Option(names = "--less-fill", paramLabel = "RULE", defaultValue = "paper",
            description = "'less': paper (training rows matching the given properties) or random (any training row) (default: ${DEFAULT-VALUE}).")
    String lessFill;

    @Option(names = "--reference", paramLabel = "CSV", description = "'less': training CSV to fill missing properties from (default: the step-one training data).")
    Path reference;

    @Option(names = "--resume", description = "Continue an interrupted run in --out (same options).")
    boolean resume;

    @Option(names = "--shard", paramLabel = "I/N",
            description = "Do only shard I of N (0-based: 0 <= I < N) of the run: the run's batches (targets x ceil(n / batch size)) "
                    + "are split into N contiguous blocks; together the shards give exactly the unsharded run's crystals. "
                    + "With SLURM: --array=0-(N-1) and --shard $${SLURM_ARRAY_TASK_ID}/N; join with 'sample merge'.")
    String shard;

    @Option(names = "--save-trajectory", paramLabel = "N", arity = "0..1", fallbackValue = "100",
            description = "Write each crystal's Langevin trajectory to trajectories/<id>.extxyz: the initial state, every N-th "
                    + "update (N defaults to 100: once per noise level with the default 100 steps per level) and the final state; "
                    + "frames carry step, level and sigma.")
    Integer saveTrajectory;

    @Override
    protected int run() throws Exception {
        if (out == null) {
            throw new UserException("sample needs --out DIR (or the subcommand 'merge'; see 'concdvae sample --help')");
        }
        if (count < 1) throw new UserException("-n must be at least 1");
        // Under mpirun/srun every rank samples its shard of the batches into a hidden sibling of --out, and rank 0
        // merges the shards into --out (the same files as the unsharded run, as 'sample merge' does for job arrays).
        Collective job = joinJob();
        boolean ranks = job.size() > 1;
        if (ranks && shard != null) {
            throw new UserException("--shard splits a run across job-array tasks; under mpirun/srun each of the " + job.size()
                    + " ranks takes its shard by itself (leave out --shard)");
        }
        if (ranks && Files.exists(out)) {
            throw new UserException(out + ": already exists" + (resume ? " (the run is finished and merged)" : "; choose a new output directory"));
        }
        SampleRun.Shard part = ranks ? new SampleRun.Shard(job.rank(), job.size()) : shard == null ? null : SampleRun.Shard.parse(shard);
        Path rankRoot = rankShards(out, job.size());
        Path where = ranks ? rankRoot.resolve("shard-" + job.rank()) : out;
        if (saveTrajectory != null && saveTrajectory < 1) throw new UserException("--save-trajectory must be at least 1, got " + saveTrajectory);
        if (!List.of("default", "full", "less").contains(strategy)) throw new UserException("--strategy must be default, full or less; got '" + strategy + "'");
        if (!List.of("paper", "random").contains(lessFill)) throw new UserException("--less-fill must be paper or random; got '" + lessFill + "'");
        int cand = candidates == null ? 100 * count : candidates;
        if (cand < count) throw new UserException("--candidates (" + cand + ") must be at least -n (" + count + ")");
        int down = cand / count;
        ModelDirectory dir = ModelDirectory.openOrBuiltin(model);
        Config cfg = dir.config();
        Config.Gen gen = cfg.gen();
        int batch = batchSize != null ? batchSize : gen.batchSize();
        int steps = nStepEach != null ? nStepEach : gen.nStepEach();
        double lr = stepLr != null ? stepLr : gen.stepLr();
        double minS = minSigma != null ? minSigma : gen.minSigma();
        if (batch < 1 || steps < 1 || !(lr > 0) || (levels != null && levels < 1)) {
            throw new UserException("--batch-size, --n-step-each, --levels must be at least 1 and --step-lr positive");
        }
        String label = priorLabel != null ? priorLabel : strategy.equals("default") ? "prior_default" : "prior_full";
        int threads = common.threads();
        Engine.setThreads(threads);
        ConCdvae stepOne = dir.loadStepOne();
        LatentPrior prior = dir.loadPrior(label);
        LatticeScaler scaler = dir.latticeScaler();
        List<String> need = prior.conditionModel().names();
        ElementFeatures features = need.contains("formula") ? ElementFeatures.resolve(prior.config().formulaFeatures()) : null;

        Map<String, Map<String, Object>> given = targets(need);
        List<Config.ConditionEmbedding> defs = prior.config().conditionmodel().conditionEmbeddings();
        List<Map<String, Object>> table = null;
        Path refPath = null;
        List<SampleRun.Target> list = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : given.entrySet()) {
            List<String> missing = new ArrayList<>(need);
            missing.removeAll(e.getValue().keySet());
            ConditionFiller filler = null;
            if (!missing.isEmpty()) {
                if (!strategy.equals("less")) {
                    throw new UserException("target '" + e.getKey() + "': prior '" + label + "' needs " + missing
                            + " (give them, or use --strategy less to fill them from training rows)");
                }
                if (table == null) {
                    refPath = referencePath(dir, label);
                    table = ConditionFiller.readTable(refPath, need);
                }
                filler = new ConditionFiller(table, defs, e.getValue(), lessFill.equals("paper") ? ConditionFiller.Mode.FILTERED
                        : ConditionFiller.Mode.RANDOM, gen.tolerate(), referenceName(dir, refPath));
                info("target '%s': %s filled from %d reference rows", e.getKey(), missing, filler.candidates());
            }
            list.add(new SampleRun.Target(e.getKey(), e.getValue(), filler));
        }

        ObjectMapper json = new ObjectMapper();
        ObjectNode settings = json.createObjectNode();
        settings.put("model", dir.isBuiltinModel() ? dir.name() : model.toAbsolutePath().normalize().toString());
        settings.put("prior", label);
        settings.put("strategy", strategy);
        settings.put("n", count);
        settings.put("candidates_per_kept", down);
        settings.put("batch_size", batch);
        settings.put("n_step_each", steps);
        settings.put("step_lr", lr);
        settings.put("min_sigma", minS);
        if (levels != null) settings.put("levels", levels);
        settings.put("less_fill", lessFill);
        if (refPath != null) settings.put("reference", referenceName(dir, refPath));
        settings.put("seed", common.seed);
        if (saveTrajectory != null) settings.put("save_trajectory", saveTrajectory);
        ArrayNode cn = settings.putArray("conditions");
        need.forEach(cn::add);
        ObjectNode tg = settings.putObject("targets");
        given.forEach((k, v) -> tg.set(k, json.valueToTree(v)));

        CrystalGenerator g = new CrystalGenerator(stepOne, prior, scaler.means(), scaler.stds(), features,
                new CrystalGenerator.Options(batch, down, steps, lr, minS, levels, common.seed, threads));
        SampleRun run = new SampleRun(g, where, settings, common.seed, part, saveTrajectory == null ? 0 : saveTrajectory, VersionProvider.version());
        int batches = run.batches(list.size(), count, batch);
        if (ranks) {
            info("%d ranks: rank 0 samples %d of %d batches; shards in %s, merged into %s at the end", job.size(), batches,
                    SampleRun.totalBatches(list.size(), count, batch), rankRoot, out);
        } else if (part != null) {
            info("shard %s: %d of %d batches%s", part, batches, SampleRun.totalBatches(list.size(), count, batch),
                    batches == 0 ? " (nothing to do: use fewer shards or a smaller --batch-size)" : "");
        }
        long t0 = System.nanoTime();
        int written;
        try (Progress bar = Progress.start("sample", batches, common.quiet)) {
            written = run.run(list, count, batch, down, resume && (!ranks || Files.exists(where.resolve(SampleRun.RUN))), new SampleRun.Listener() {
                @Override
                public void batch(String target, int done, int total) {
                    bar.step();
                    bar.message(target + " " + done + "/" + total);
                }
            });
        }
        if (ranks) {
            job.barrier();   // every rank's shard is finished (a failed rank has aborted the job instead)
            if (job.isRoot()) {
                List<Path> dirs = new ArrayList<>();
                for (int r = 0; r < job.size(); r++) dirs.add(rankRoot.resolve("shard-" + r));
                written = SampleMerge.merge(dirs, out, VersionProvider.version()).crystals();
                StagedDirectory.deleteTree(rankRoot);
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        info("done: %d crystals in %.1f s (%.2f crystals/min); %d targets x %d, %d candidates per kept crystal; outputs in %s",
                written, s, written / s * 60, list.size(), count, down, out);
        return ExitCode.OK;
    }

    /** Where the ranks of an MPI job keep their shards until rank 0 merges them: a hidden sibling of --out. */
    static Path rankShards(Path out, int ranks) {
        Path o = out.toAbsolutePath().normalize();
        return o.resolveSibling("." + o.getFileName() + ".ranks-" + ranks);
    }

    /** Targets by label: from --targets, or one from the flags. Only conditions the prior needs are kept. */
    private Map<String, Map<String, Object>> targets(List<String> need) throws IOException {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (targetsCsv != null) {
            if (bandGap != null || formationEnergy != null || crystalSystem != null || spaceGroup != null || formula != null) {
                throw new UserException("give targets either with --targets or with the property flags, not both");
            }
            CSVFormat f = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
            try (CSVParser p = CSVParser.parse(targetsCsv, StandardCharsets.UTF_8, f)) {
                if (!p.getHeaderMap().containsKey("label")) throw new UserException(targetsCsv + ": needs a 'label' column");
                int row = 1;
                for (CSVRecord r : p) {
                    row++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (String n : need) {
                        if (!r.isMapped(n) || !r.isSet(n) || r.get(n).isBlank()) continue;
                        m.put(n, value(n, r.get(n).trim(), targetsCsv + " row " + row));
                    }
                    String label = r.get("label").trim();
                    if (label.isEmpty() || out.containsKey(label)) throw new UserException(targetsCsv + " row " + row + ": empty or repeated label '" + label + "'");
                    out.put(label, m);
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new UserException(targetsCsv + ": " + e.getMessage());
            }
            if (out.isEmpty()) throw new UserException(targetsCsv + ": no targets");
            return out;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> parts = new ArrayList<>();
        put(m, parts, need, "band_gap", bandGap, "bg");
        put(m, parts, need, "formation_energy_per_atom", formationEnergy, "fe");
        Integer cs = crystalSystem == null ? null : (Integer) value("crystal_system", crystalSystem, "--cs");
        if (cs == null && spaceGroup != null) cs = CrystalSystem.code(checkSpaceGroup(spaceGroup));
        if (spaceGroup != null) put(m, parts, need, "spacegroup", (double) checkSpaceGroup(spaceGroup), "sg");
        if (cs != null) put(m, parts, need, "crystal_system", (double) cs, "cs");
        if (formula != null) {
            ElementFeatures.parseFormula(formula);
            if (need.contains("formula")) m.put("formula", formula);
            parts.add(formula);
        }
        if (parts.isEmpty()) throw new UserException("no target: give --bg, --fe, --cs, --sg, --formula or --targets");
        out.put(String.join("_", parts), m);
        return out;
    }

    private void put(Map<String, Object> m, List<String> parts, List<String> need, String name, Double v, String tag) {
        if (v == null) return;
        if (!Double.isFinite(v)) throw new UserException("--" + tag + " must be a finite number");
        parts.add(tag + String.format(Locale.ROOT, "%s", v == Math.rint(v) ? String.valueOf((long) (double) v) : String.valueOf(v)));
        if (need.contains(name)) m.put(name, v);
        else info("note: the prior has no '%s' condition; --%s is not used", name, tag);
    }

    private static int checkSpaceGroup(int sg) {
        if (sg < 1 || sg > 230) throw new UserException("--sg must be a space-group number 1-230, got " + sg);
        return sg;
    }

    /** A target value: numbers, crystal-system names, formula strings. */
    private static Object value(String name, String text, String where) {
        if (name.equals("formula")) {
            ElementFeatures.parseFormula(text);
            return text;
        }
        if (name.equals("crystal_system") || name.equals("CS_type")) {
            int i = SYSTEMS.indexOf(text.toLowerCase(Locale.ROOT));
            if (i >= 0) return name.equals("crystal_system") && where.equals("--cs") ? (Object) i : (double) i;
        }
        try {
            double v = Double.parseDouble(text);
            if (!Double.isFinite(v)) throw new NumberFormatException();
            if (where.equals("--cs")) {
                if (v != Math.rint(v) || v < 0 || v >= CrystalSystem.NUM_CLASSES) throw new NumberFormatException();
                return (int) v;
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UserException(where + ": '" + text + "' is not a valid " + name + (name.equals("crystal_system") ? " (name or 0-6)" : ""));
        }
    }

    /** How the reference table is named in messages and run.json (a built-in model's files have no stable path). */
    private static String referenceName(ModelDirectory dir, Path ref) {
        return dir.isBuiltinModel() && ref.startsWith(dir.path()) ? dir.name() + ": " + ref.getFileName() : ref.toString();
    }

    /** --reference, else the prior's own table of training conditions (train-prior), else the step-one training CSV. */
    private Path referencePath(ModelDirectory dir, String label) throws IOException {
        if (reference != null) {
            if (!Files.isRegularFile(reference)) throw new UserException(reference + ": reference table not found");
            return reference;
        }
        Path own = dir.priorReference(label);
        if (Files.isRegularFile(own)) return own;
        Path run = dir.path().resolve("run.json");
        if (Files.isRegularFile(run)) {
            JsonNode n = new ObjectMapper().readTree(run.toFile());
            if (n.hasNonNull("data")) {
                Path d = Path.of(n.get("data").asText());
                if (Files.isRegularFile(d)) return d;
                Path t = d.resolve(dir.config().data().splits().train());
                if (Files.isRegularFile(t)) return t;
            }
        }
        throw new UserException("--strategy less needs a training CSV to fill missing properties from: give --reference");
    }
}

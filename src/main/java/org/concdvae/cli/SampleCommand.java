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
import org.concdvae.crystal.Composition;
import org.concdvae.sample.AtomControl;
import org.concdvae.sample.ConditionFiller;
import org.concdvae.sample.TargetChecks;
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
import java.util.Set;

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
                "samples its shard and rank 0 merges them into --out (docs/distributed.md)."},
        footer = {"", "Examples:",
                "  concdvae sample --fe -2 --bg 3 -n 20 --out gen/",
                "  concdvae sample --fe -2 --bg 3 --formula NaCl --exact-composition -n 4 --format cif,poscar --symmetrize 0.1 --out nacl/",
                "  concdvae sample --fe -1 --bg 1 --natoms 8 --exact-natoms --samples-per-z 2 --save-latents --out n8/",
                "  concdvae sample --strategy full --fe -2 --bg 1 --cs cubic --sg 225 --ehull 0 --natoms 8 --out full/",
                "  concdvae sample --strategy less --cs cubic --less-fill one-row --less-tolerance 0.1 --out cubic/",
                "  mpirun -np 4 ./concdvae sample --model models/mp20 --targets targets.csv -n 200 --out samples/run1",
                "  concdvae sample --model models/mp20 --targets targets.csv -n 200 --shard 0/8 --out samples/shard-0",
                "Soft conditions (--fe --bg --cs --sg --ehull --natoms --formula) steer the prior; the hard controls",
                "--exact-composition and --exact-natoms fix the atoms of every crystal."})
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

    @Option(names = "--prior", paramLabel = "LABEL", description = "Prior label (default: gen.prior_label of the model's config if set, else prior_default for 'default', prior_full otherwise).")
    String priorLabel;

    @Option(names = "--bg", paramLabel = "EV", description = "Target band gap (eV).")
    Double bandGap;

    @Option(names = "--fe", paramLabel = "EV", description = "Target formation energy (eV/atom).")
    Double formationEnergy;

    @Option(names = "--cs", paramLabel = "SYSTEM", description = "Target crystal system: triclinic, monoclinic, orthorhombic, tetragonal, trigonal, hexagonal, cubic (or its class 0-6).")
    String crystalSystem;

    @Option(names = "--sg", paramLabel = "N", description = "Target space-group number (1-230); implies its crystal system unless --cs is given.")
    Integer spaceGroup;

    @Option(names = "--ehull", paramLabel = "EV", description = "Target energy above the convex hull (eV/atom; condition e_above_hull of the full prior).")
    Double eHull;

    @Option(names = "--natoms", paramLabel = "N",
            description = "Target number of atoms per cell: a soft condition (n_atom) of priors that have it; with --exact-natoms also a hard control.")
    Integer nAtoms;

    @Option(names = "--formula", paramLabel = "FORMULA",
            description = "Target chemical formula, e.g. SrTiO3: a soft condition of priors with a 'formula' condition (the crystals may differ); "
                    + "with --exact-composition the composition of every crystal.")
    String formula;

    @Option(names = "--targets", paramLabel = "CSV",
            description = "Targets, one per row, instead of the flags: column 'label' plus condition columns named as the prior's conditions: "
                    + "formation_energy_per_atom (--fe), band_gap (--bg), crystal_system (--cs; name or 0-6), spacegroup (--sg), "
                    + "e_above_hull (--ehull), n_atom (--natoms), formula (--formula); columns the prior does not use are ignored.")
    Path targetsCsv;

    @Option(names = "--strict-targets", description = "Make a target outside its condition's training range an error instead of a warning.")
    boolean strictTargets;

    // ---- generation controls (hard controls of the atoms, decoding, outputs); logic in org.concdvae.sample ----

    @Option(names = "--exact-composition",
            description = "Fix each crystal's atoms to --formula times Z (or the 'formula' column of --targets): only the lattice and "
                    + "coordinates are generated, the types stay fixed through Langevin dynamics (the official gt_num_atoms/gt_atom_types path).")
    boolean exactComposition;

    @Option(names = "--z", paramLabel = "K",
            description = "With --exact-composition: K formula units per cell (default: per crystal, the most likely count of the model's "
                    + "atom-count head among the multiples of the formula that fit data.max_atoms).")
    Integer formulaUnits;

    @Option(names = "--exact-natoms",
            description = "Fix the number of atoms of every crystal to --natoms (or the n_atom column of --targets); the types are still generated.")
    boolean exactNatoms;

    @Option(names = "--samples-per-z", paramLabel = "K",
            description = "Langevin decodes per kept latent, each with its own random draws (the official num_samples_per_z; "
                    + "each target gives -n x K crystals) (default: gen.num_samples_per_z, 1).")
    Integer samplesPerZ;

    @Option(names = "--retry-empty", arity = "0..1", paramLabel = "BOOL", defaultValue = "true", fallbackValue = "true",
            description = "Redraw the latents of crystals for which the model predicts 0 atoms (at most " + SampleRun.RETRY_ROUNDS
                    + " rounds per batch) so -n crystals with atoms are written; --retry-empty=false keeps them as error rows (default: ${DEFAULT-VALUE}).")
    boolean retryEmpty;

    @Option(names = "--format", paramLabel = "LIST", defaultValue = "cif,extxyz",
            description = "Structure files per crystal, comma-separated: cif (cifs/<id>.cif), poscar (poscars/<id>.vasp, VASP 5), "
                    + "extxyz (frames of samples.extxyz) (default: ${DEFAULT-VALUE}).")
    String formats;

    @Option(names = "--symmetrize", paramLabel = "SYMPREC",
            description = "Also write each crystal refined to the space group found at this tolerance (Å, e.g. 0.1) as symmetrized/<id>.cif "
                    + "(space group and symmetry operations); samples.csv gains spacegroup (at 0.01 Å) and spacegroup_symmetrized. "
                    + "The generated structures are not changed.")
    Double symprec;

    @Option(names = "--save-latents",
            description = "Write latents.safetensors: per crystal the kept prior latent z, its conditions, the Predictor's outputs and score.")
    boolean saveLatents;

    @Option(names = "-n", paramLabel = "N", defaultValue = "200", description = "Crystals per target (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory; required.")
    Path out;

    @Option(names = "--candidates", paramLabel = "N",
            description = "Prior latents per target scored by the Predictor, a multiple of -n: each kept latent is the best of N/-n "
                    + "(per batch) (default: gen.down_sample x -n; -n: no filtering).")
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

    @Option(names = "--less-fill", paramLabel = "RULE",
            description = "'less': one-row (one training row matching the given properties supplies every missing condition), paper "
                    + "(each missing condition from its own matching row) or random (any training row) (default: gen.less_mode of the "
                    + "model's config: one_row, filtered_rows = paper, random_rows = random).")
    String lessFill;

    @Option(names = "--less-tolerance", paramLabel = "X",
            description = "'less' one-row/paper: a scalar row matches when |value - target| <= X/2 x (condition_max - condition_min) "
                    + "(the official tolerate) (default: gen.tolerate, 0.1).")
    Double lessTolerance;

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
                    + "frames carry step, level and sigma. Without this option: gen.save_traj of the model's config, every "
                    + "gen.down_sample_traj_step-th update.")
    Integer saveTrajectory;

    /** Batches finished and in all of this run's batches (for the interruption hint); -1: not started. */
    private volatile int batchesDone = -1, batchesTotal;

    @Override
    protected String interruptedHint() {
        if (out == null) return null;
        if (batchesDone < 0) return "nothing was sampled into " + out + " yet; rerun the command"
                + (resume ? "" : " (with --resume if " + out.resolve(SampleRun.RUN) + " exists)");
        return batchesDone + " of " + batchesTotal + " batches are finished in " + out + " (listed in samples.csv and run.json); "
                + "rerun the same command with --resume to do the rest";
    }

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
        if (formulaUnits != null && !exactComposition) throw new UserException("--z needs --exact-composition (and --formula)");
        if (exactComposition && exactNatoms) throw new UserException("--exact-composition and --exact-natoms exclude each other (the composition fixes the atom count)");
        // Under MPI rank 0 holds the shards' directory while the ranks sample (--out appears only at the merge).
        lockOutput(ranks ? rankRoot : out, "--out");
        ModelDirectory dir = ModelDirectory.openOrBuiltin(model);
        Config cfg = dir.config();
        Config.Gen gen = cfg.gen();
        ConditionFiller.Mode lessMode = ConditionFiller.Mode.parse(lessFill != null ? lessFill : gen.lessMode(),
                lessFill != null ? "--less-fill" : "gen.less_mode");
        double tolerate = lessTolerance != null ? lessTolerance : gen.tolerate();
        if (!(tolerate >= 0) || !Double.isFinite(tolerate)) throw new UserException("--less-tolerance must be a number >= 0, got " + tolerate);
        // gen.down_sample is the candidates-per-kept ratio, what --candidates gives as a total
        int down;
        if (candidates != null) {
            if (candidates < count || candidates % count != 0) {
                throw new UserException("--candidates (" + candidates + ") must be a multiple of -n (" + count + "): each kept crystal is the best of "
                        + "candidates/n latents; e.g. --candidates " + Math.max(count, candidates / count * count + (candidates < count ? 0 : count)));
            }
            down = candidates / count;
        } else {
            down = gen.downSample();
            if (down < 1) throw new UserException("gen.down_sample of the model's config must be at least 1, got " + down);
        }
        int perZ = samplesPerZ != null ? samplesPerZ : gen.numSamplesPerZ();
        if (perZ < 1) throw new UserException("--samples-per-z must be at least 1, got " + perZ);
        Set<SampleRun.Format> fileFormats = SampleRun.Format.parse(formats);
        if (fileFormats.isEmpty()) throw new UserException("--format needs at least one of cif, poscar, extxyz");
        if (symprec != null && !(symprec > 0 && Double.isFinite(symprec))) throw new UserException("--symmetrize needs a positive tolerance in Å, e.g. 0.1; got " + symprec);
        int batch = batchSize != null ? batchSize : gen.batchSize();
        int steps = nStepEach != null ? nStepEach : gen.nStepEach();
        double lr = stepLr != null ? stepLr : gen.stepLr();
        double minS = minSigma != null ? minSigma : gen.minSigma();
        if (batch < 1 || steps < 1 || !(lr > 0) || (levels != null && levels < 1)) {
            throw new UserException("--batch-size, --n-step-each, --levels must be at least 1 and --step-lr positive");
        }
        String label = priorLabel != null ? priorLabel : gen.priorLabel() != null ? gen.priorLabel()
                : strategy.equals("default") ? "prior_default" : "prior_full";
        Integer traj = saveTrajectory != null ? saveTrajectory : gen.saveTraj() ? Integer.valueOf(gen.downSampleTrajStep()) : null;
        if (traj != null && traj < 1) throw new UserException("gen.down_sample_traj_step of the model's config must be at least 1, got " + traj);
        int threads = common.threads();
        Engine.setThreads(threads);
        ConCdvae stepOne = dir.loadStepOne();
        LatentPrior prior = dir.loadPrior(label);
        LatticeScaler scaler = dir.latticeScaler();
        List<String> need = prior.conditionModel().names();
        ElementFeatures features = need.contains("formula") ? ElementFeatures.resolve(prior.config().formulaFeatures()) : null;
        List<Config.ConditionEmbedding> defs = prior.config().conditionmodel().conditionEmbeddings();

        Map<String, Map<String, Object>> given = targets(need, defs);
        Map<String, AtomControl> controls = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Object>> e : given.entrySet()) {
            controls.put(e.getKey(), control(e.getKey(), e.getValue(), need, cfg.data().maxAtoms()));
        }
        List<Map<String, Object>> table = null;
        Path refPath = null;
        List<SampleRun.Target> list = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : given.entrySet()) {
            List<String> missing = new ArrayList<>(need);
            missing.removeAll(e.getValue().keySet());
            ConditionFiller filler = null;
            if (!missing.isEmpty()) {
                if (!strategy.equals("less")) {
                    throw new UserException((targetsCsv == null ? "" : "target '" + e.getKey() + "': ") + "prior '" + label + "' "
                            + TargetChecks.needs(missing) + "; or use --strategy less to fill them from training rows");
                }
                if (table == null) {
                    refPath = referencePath(dir, label);
                    table = ConditionFiller.readTable(refPath, need);
                }
                filler = new ConditionFiller(table, defs, e.getValue(), lessMode, tolerate, referenceName(dir, refPath));
                info("target '%s': %s filled from %d reference rows (%s)", e.getKey(), missing, filler.candidates(), lessMode.flag);
            }
            list.add(new SampleRun.Target(e.getKey(), e.getValue(), filler, controls.get(e.getKey())));
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
        settings.put("less_fill", lessMode.flag);
        settings.put("less_tolerance", tolerate);
        if (refPath != null) settings.put("reference", referenceName(dir, refPath));
        settings.put("seed", common.seed);
        if (traj != null) settings.put("save_trajectory", traj);
        ArrayNode cn = settings.putArray("conditions");
        need.forEach(cn::add);
        ObjectNode tg = settings.putObject("targets");
        given.forEach((k, v) -> tg.set(k, json.valueToTree(v)));
        settings.put("samples_per_z", perZ);
        settings.put("retry_empty", retryEmpty);
        ArrayNode fm = settings.putArray("formats");
        for (SampleRun.Format f : SampleRun.Format.values()) if (fileFormats.contains(f)) fm.add(f.label());
        if (symprec != null) settings.put("symmetrize", symprec);
        if (saveLatents) settings.put("save_latents", true);
        ObjectNode ctl = null;
        for (Map.Entry<String, AtomControl> c : controls.entrySet()) {
            AtomControl a = c.getValue();
            if (a.free()) continue;
            if (ctl == null) ctl = settings.putObject("atom_controls");
            ObjectNode o = ctl.putObject(c.getKey());
            if (a.formula() != null) o.put("exact_composition", a.formula().formula());
            if (a.z() != null) o.put("z", a.z());
            if (a.numAtoms() != null) o.put("exact_natoms", a.numAtoms());
        }

        CrystalGenerator g = new CrystalGenerator(stepOne, prior, scaler.means(), scaler.stds(), features,
                new CrystalGenerator.Options(batch, down, steps, lr, minS, levels, common.seed, threads));
        SampleRun.Outputs outputs = new SampleRun.Outputs(fileFormats, symprec, saveLatents, perZ, retryEmpty ? SampleRun.RETRY_ROUNDS : 0);
        SampleRun run = new SampleRun(g, where, settings, common.seed, part, traj == null ? 0 : traj, VersionProvider.version(), outputs);
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
        // The bar counts Langevin updates (levels x steps per batch), so that even a one-batch run shows its progress
        // and an ETA; a resumed run starts at the updates of the batches already finished.
        long perBatch = Math.max(1, g.updatesPerBatch());
        int before = Math.min(run.batchesDone(resume), batches);
        batchesTotal = batches;
        batchesDone = before;
        try (Progress bar = Progress.start("sample (Langevin steps)", batches * perBatch, before * perBatch, common.quiet || gen.disableBar())) {
            bar.message("batch " + Math.min(before + 1, batches) + "/" + batches);
            g.onUpdate(bar::step);
            written = run.run(list, count, batch, down, resume && (!ranks || Files.exists(where.resolve(SampleRun.RUN))), new SampleRun.Listener() {
                @Override
                public void batch(String target, int done, int total) {
                    batchesDone = done;
                    bar.stepTo(done * perBatch);   // batches whose crystals all have 0 atoms make no updates
                    bar.message(target + ": batch " + Math.min(done + 1, total) + "/" + total);
                }
            });
        } finally {
            g.onUpdate(null);
        }
        if (run.emptyWritten() > 0) {
            warn(run.emptyWritten() + " crystals have 0 atoms (error rows in samples.csv)"
                    + (retryEmpty ? " after " + SampleRun.RETRY_ROUNDS + " rounds of redrawing: the model rarely predicts atoms for these targets" : ""));
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
        info("done: %d crystals in %.1f s (%.2f crystals/min); %d targets x %d%s, %d candidates per kept crystal%s; outputs in %s",
                written, s, written / s * 60, list.size(), count, perZ > 1 ? " latents x " + perZ + " decodes" : "", down,
                retryEmpty ? "; " + run.redrawn() + " latents redrawn (0 atoms predicted)" : "", out);
        return ExitCode.OK;
    }

    /** Where the ranks of an MPI job keep their shards until rank 0 merges them: a hidden sibling of --out. */
    static Path rankShards(Path out, int ranks) {
        Path o = out.toAbsolutePath().normalize();
        return o.resolveSibling("." + o.getFileName() + ".ranks-" + ranks);
    }

    /** A warning line on stderr (shown with --quiet too). */
    private void warn(String message) {
        err().println("warning: " + message);
        err().flush();
    }

    /**
     * The hard controls of one target: --exact-composition (formula × Z; Z from --z, from --natoms, or from the head) or
     * --exact-natoms. With a fixed Z and a prior that conditions on n_atom, an unset n_atom condition is the cell's count.
     */
    private AtomControl control(String label, Map<String, Object> target, List<String> need, int maxAtoms) {
        Object n = natomsOf.get(label);
        if (exactNatoms) {
            if (n == null) throw new UserException("--exact-natoms needs --natoms N (or an n_atom column in --targets)" + rowOf(label));
            return AtomControl.atoms(((Number) n).intValue());
        }
        if (!exactComposition) return AtomControl.NONE;
        String f = formulaOf.get(label);
        if (f == null) throw new UserException("--exact-composition needs --formula (or a formula column in --targets)" + rowOf(label));
        Composition comp = ElementFeatures.parseFormula(f);
        Integer z = formulaUnits;
        if (n != null) {
            int atoms = ((Number) n).intValue();
            if (atoms % comp.numAtoms() != 0 || (z != null && z * comp.numAtoms() != atoms)) {
                throw new UserException("--natoms " + atoms + " is not " + (z != null ? "--z " + z + " x " : "a multiple of ") + comp.numAtoms()
                        + " atoms of " + f + rowOf(label));
            }
            z = atoms / comp.numAtoms();
        }
        if (z != null && need.contains("n_atom") && !target.containsKey("n_atom")) target.put("n_atom", (double) (z * comp.numAtoms()));
        return AtomControl.composition(comp, z, maxAtoms);
    }

    private String rowOf(String label) { return targetsCsv == null ? "" : " (target '" + label + "' of " + targetsCsv + ")"; }

    /** The formula and atom count of each target, whether or not the prior conditions on them (for the hard controls). */
    private final Map<String, String> formulaOf = new LinkedHashMap<>();
    private final Map<String, Object> natomsOf = new LinkedHashMap<>();

    /**
     * Targets by label: from --targets, or one from the flags. Only conditions the prior needs are kept; every given
     * value is checked (impossible values are errors, out-of-range ones warnings; TargetChecks).
     */
    private Map<String, Map<String, Object>> targets(List<String> need, List<Config.ConditionEmbedding> defs) throws IOException {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (targetsCsv != null) {
            if (bandGap != null || formationEnergy != null || crystalSystem != null || spaceGroup != null || formula != null
                    || eHull != null || nAtoms != null) {
                throw new UserException("give targets either with --targets or with the property flags, not both");
            }
            CSVFormat f = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
            try (CSVParser p = CSVParser.parse(targetsCsv, StandardCharsets.UTF_8, f)) {
                if (!p.getHeaderMap().containsKey("label")) throw new UserException(targetsCsv + ": needs a 'label' column");
                int row = 1;
                for (CSVRecord r : p) {
                    row++;
                    Map<String, Object> m = new LinkedHashMap<>(), checked = new LinkedHashMap<>();
                    List<String> read = new ArrayList<>(need);
                    // the hard controls read their column even when the prior does not condition on it
                    if (exactNatoms || exactComposition) for (String extra : List.of("n_atom", "formula")) if (!read.contains(extra)) read.add(extra);
                    for (String n : read) {
                        if (!r.isMapped(n) || !r.isSet(n) || r.get(n).isBlank()) continue;
                        Object v = value(n, r.get(n).trim(), targetsCsv + " row " + row);
                        checked.put(n, v);
                        if (need.contains(n)) m.put(n, v);
                    }
                    String label = r.get("label").trim();
                    if (label.isEmpty() || out.containsKey(label)) throw new UserException(targetsCsv + " row " + row + ": empty or repeated label '" + label + "'");
                    for (String w : TargetChecks.check(targetsCsv + " row " + row + ": ", checked, defs, strictTargets)) warn(w);
                    if (checked.get("formula") instanceof String fs) formulaOf.put(label, fs);
                    if (checked.containsKey("n_atom")) natomsOf.put(label, checked.get("n_atom"));
                    out.put(label, m);
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new UserException(targetsCsv + ": " + e.getMessage());
            }
            if (out.isEmpty()) throw new UserException(targetsCsv + ": no targets");
            return out;
        }
        Map<String, Object> all = new LinkedHashMap<>();
        if (bandGap != null) all.put("band_gap", bandGap);
        if (formationEnergy != null) all.put("formation_energy_per_atom", formationEnergy);
        if (spaceGroup != null) all.put("spacegroup", (double) spaceGroup);
        if (eHull != null) all.put("e_above_hull", eHull);
        if (nAtoms != null) all.put("n_atom", (double) nAtoms);
        for (String w : TargetChecks.check("", all, defs, strictTargets)) warn(w);
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> parts = new ArrayList<>();
        put(m, parts, need, "band_gap", bandGap, "bg");
        put(m, parts, need, "formation_energy_per_atom", formationEnergy, "fe");
        Integer cs = crystalSystem == null ? null : (Integer) value("crystal_system", crystalSystem, "--cs");
        if (cs == null && spaceGroup != null) cs = CrystalSystem.code(checkSpaceGroup(spaceGroup));
        if (spaceGroup != null) put(m, parts, need, "spacegroup", (double) checkSpaceGroup(spaceGroup), "sg");
        if (cs != null) put(m, parts, need, "crystal_system", (double) cs, "cs");
        put(m, parts, need, "e_above_hull", eHull, "ehull");
        if (nAtoms != null) {
            if (need.contains("n_atom") || !(exactNatoms || exactComposition)) put(m, parts, need, "n_atom", (double) nAtoms, "natoms");
            else parts.add("natoms" + nAtoms);
        }
        if (formula != null) {
            ElementFeatures.parseFormula(formula);
            if (need.contains("formula")) m.put("formula", formula);
            else if (!exactComposition) info("note: the prior has no 'formula' condition; --formula is not used (add --exact-composition to fix the composition)");
            parts.add(formula);
        }
        if (parts.isEmpty()) throw new UserException("no target: give --bg, --fe, --cs, --sg, --ehull, --natoms, --formula or --targets");
        String label = String.join("_", parts);
        if (formula != null) formulaOf.put(label, formula);
        if (nAtoms != null) natomsOf.put(label, nAtoms);
        out.put(label, m);
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
        if (sg < 1 || sg > 230) throw new UserException("--sg " + sg + ": a space-group number is an integer 1-230");
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

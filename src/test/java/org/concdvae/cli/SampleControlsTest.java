package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.analysis.symmetry.SpacegroupAnalyzer;
import org.concdvae.crystal.CifReader;
import org.concdvae.crystal.Composition;
import org.concdvae.crystal.PoscarReader;
import org.concdvae.crystal.Structure;
import org.concdvae.io.Safetensors;
import org.concdvae.model.ElementFeatures;
import org.concdvae.sample.LatentFile;
import org.concdvae.testutil.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.concdvae.cli.SampleCommandTest.args;
import static org.concdvae.cli.SampleCommandTest.checkOutputs;
import static org.concdvae.cli.SampleCommandTest.exec;
import static org.junit.jupiter.api.Assertions.*;

/** One test per generation control of 'sample' on the tiny model (few Langevin steps). */
class SampleControlsTest {
    static Path model;

    @BeforeAll
    static void train() throws IOException {
        model = TinyModels.withPriors();
    }

    static Cli.Result sample(Path out, String... extra) {
        String[] base = {"sample", "--model", model.toString(), "--out", out.toString(), "--seed", "3"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return exec(args(all));
    }

    /** The built-in model, one noise level of one step (structures are not converged; counts and types are what is tested). */
    static Cli.Result builtin(Path out, String... extra) {
        String[] base = {"sample", "--out", out.toString(), "--seed", "3", "--n-step-each", "1", "--levels", "1", "--quiet", "--threads", "2"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return exec(all);
    }

    static Structure cif(Path out, String id) throws IOException {
        Path f = out.resolve("cifs").resolve(id + ".cif");
        return CifReader.readOne(Files.readString(f), f.toString());
    }

    @Test
    void exactCompositionFixesAtomsAndKeepsTheConditions(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("exact");
        var r = sample(out, "--fe", "-1", "--formula", "SrTiO3", "--exact-composition", "-n", "3", "--candidates", "6", "--batch-size", "2",
                "--format", "cif,poscar,extxyz", "--save-latents");
        assertEquals(0, r.code(), r.err());
        List<CSVRecord> rows = checkOutputs(out, 3);
        Composition unit = ElementFeatures.parseFormula("SrTiO3");
        Safetensors lat = Safetensors.read(out.resolve("latents.safetensors"));
        assertEquals(List.of("fe-1_SrTiO3_0", "fe-1_SrTiO3_1", "fe-1_SrTiO3_2"), LatentFile.ids(lat));
        double[] pred = lat.doubles("pred_formation_energy_per_atom"), cond = lat.doubles("cond_formation_energy_per_atom");
        assertArrayEquals(new long[]{3, 32}, lat.shape("z"), "one latent (latent_dim 32) per crystal");
        for (int i = 0; i < rows.size(); i++) {
            CSVRecord row = rows.get(i);
            Structure s = cif(out, row.get("id"));
            int n = s.size();
            assertEquals(0, n % 5, "a multiple of SrTiO3");
            assertTrue(n <= 20, "fits data.max_atoms");
            for (int z : new int[]{38, 22, 8}) assertEquals(unit.count(z) * n / 5, s.composition().count(z), "composition of " + row.get("id"));
            assertEquals(3, s.composition().numElements());
            // the POSCAR is the same crystal
            Path pos = out.resolve("poscars").resolve(row.get("id") + ".vasp");
            Structure p = PoscarReader.read(Files.readString(pos), pos.toString(), null);
            assertEquals(s.composition(), p.composition());
            assertArrayEquals(s.lattice().parameters(), p.lattice().parameters(), 1e-6);
            // the formation-energy target still conditions the prior and is what the Predictor is scored against
            assertEquals(-1.0, Double.parseDouble(row.get("cond_formation_energy_per_atom")), 0);
            assertEquals(-1.0, cond[i], 0);
            assertEquals(Double.parseDouble(row.get("pred_formation_energy_per_atom")), pred[i], 1e-6 * Math.max(1, Math.abs(pred[i])));
            double score = Math.abs((pred[i] - (-1.0)) / (1.0 - -6.0));   // |normalised prediction - normalised target|
            assertEquals(score, Double.parseDouble(row.get("predictor_score")), 1e-5);
        }
        // the controls act on decoding only: the same seed without them keeps the same latents, conditions, Predictor
        // outputs and scores (the prior and the Predictor filter never see the hard controls)
        Path free = tmp.resolve("free");
        r = sample(free, "--fe", "-1", "--formula", "SrTiO3", "-n", "3", "--candidates", "6", "--batch-size", "2", "--save-latents");
        assertEquals(0, r.code(), r.err());
        List<CSVRecord> freeRows = checkOutputs(free, 3);
        for (int i = 0; i < 3; i++) {
            for (String col : List.of("predictor_score", "pred_formation_energy_per_atom", "cond_formation_energy_per_atom")) {
                assertEquals(freeRows.get(i).get(col), rows.get(i).get(col), col);
            }
        }
        assertArrayEquals(Safetensors.read(free.resolve("latents.safetensors")).floats("z"), lat.floats("z"));
        // Z fixed by --z, and by --natoms with --exact-composition
        Path z2 = tmp.resolve("z2");
        r = sample(z2, "--fe", "-1", "--formula", "SrTiO3", "--exact-composition", "--z", "2", "-n", "2", "--candidates", "2");
        assertEquals(0, r.code(), r.err());
        for (CSVRecord row : checkOutputs(z2, 2)) {
            assertEquals(10, Integer.parseInt(row.get("num_atoms")));
            assertEquals(ElementFeatures.parseFormula("Sr2Ti2O6"), cif(z2, row.get("id")).composition());
        }
        r = sample(tmp.resolve("bad"), "--fe", "-1", "--formula", "SrTiO3", "--exact-composition", "--natoms", "7", "-n", "1", "--candidates", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: --natoms 7 is not a multiple of 5"), r.err());
        r = sample(tmp.resolve("bad2"), "--fe", "-1", "--exact-composition", "-n", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--exact-composition needs --formula"), r.err());
    }

    @Test
    void exactNatomsAndSamplesPerZ(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("natoms");
        var r = sample(out, "--fe", "-2", "--natoms", "7", "--exact-natoms", "-n", "2", "--candidates", "2", "--samples-per-z", "2");
        assertEquals(0, r.code(), r.err());
        List<CSVRecord> rows = checkOutputs(out, 4);
        assertEquals(List.of("0", "0", "1", "1"), rows.stream().map(x -> x.get("latent")).toList());
        assertEquals(List.of("0", "1", "0", "1"), rows.stream().map(x -> x.get("sample")).toList());
        for (CSVRecord row : rows) assertEquals(7, cif(out, row.get("id")).size());
        // two decodes of one latent: same lattice (from the latent), different coordinates (own draws)
        Structure a = cif(out, rows.get(0).get("id")), b = cif(out, rows.get(1).get("id"));
        assertArrayEquals(a.lattice().parameters(), b.lattice().parameters(), 1e-9);
        assertNotEquals(a, b);
        assertEquals(rows.get(0).get("predictor_score"), rows.get(1).get("predictor_score"));
    }

    @Test
    void candidatesMustBeAMultipleOfN(@TempDir Path tmp) {
        var r = sample(tmp.resolve("c"), "--fe", "-2", "-n", "4", "--candidates", "7");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: --candidates (7) must be a multiple of -n (4)"), r.err());
        assertFalse(Files.exists(tmp.resolve("c").resolve("run.json")), "nothing written");
    }

    /**
     * A copy of the tiny model whose atom-count head only chooses between 0 and 5 atoms, by the sign of a fixed random
     * projection of its hidden layer: about half of all latents give crystals with 0 atoms.
     */
    static Path halfEmptyModel(Path dir) throws IOException {
        return emptyModel(dir, false);
    }

    /** As {@link #halfEmptyModel}, or (always) a head that predicts 0 atoms for every latent. */
    static Path emptyModel(Path dir, boolean always) throws IOException {
        Files.createDirectories(dir);
        try (var files = Files.list(model)) {
            for (Path f : files.toList()) if (Files.isRegularFile(f)) Files.copy(f, dir.resolve(f.getFileName()));
        }
        Path weights = dir.resolve("best.safetensors");
        Safetensors st = org.concdvae.io.CheckpointFiles.read(weights).tensors();
        int last = -1;
        for (String n : st.names()) if (n.startsWith("fc_num_atoms.") && n.endsWith(".weight")) last = Math.max(last, Integer.parseInt(n.split("\\.")[1]));
        java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> t = new java.util.LinkedHashMap<>();
        for (String n : st.names()) t.put(n, st.toNd(n));
        var w = t.get("fc_num_atoms." + last + ".weight");
        var b = t.get("fc_num_atoms." + last + ".bias");
        long classes = b.length(), hidden = w.length() / classes;
        java.util.Random rnd = new java.util.Random(11);
        double[] u = new double[(int) hidden];
        for (int k = 0; k < hidden; k++) u[k] = rnd.nextGaussian();
        double[] wf = new double[(int) (classes * hidden)], bf = new double[(int) classes];
        java.util.Arrays.fill(bf, -1e4);
        bf[0] = 0;
        bf[5] = always ? -1e4 : 0;
        for (int k = 0; k < hidden; k++) {
            wf[k] = u[k];                          // row 0 (PyTorch layout [out, in])
            wf[(int) (5 * hidden) + k] = -u[k];    // row 5
        }
        t.put("fc_num_atoms." + last + ".weight", org.nd4j.linalg.factory.Nd4j.create(wf, w.shape(), w.dataType()));
        t.put("fc_num_atoms." + last + ".bias", org.nd4j.linalg.factory.Nd4j.create(bf, b.shape(), b.dataType()));
        org.concdvae.io.CheckpointFiles.write(weights, t, null);
        return dir;
    }

    @Test
    void retryEmptyRedrawsLatentsOfEmptyCrystals(@TempDir Path tmp) throws IOException {
        Path half = halfEmptyModel(tmp.resolve("model"));
        Path keep = tmp.resolve("keep"), retry = tmp.resolve("retry");
        String[] common = {"sample", "--model", half.toString(), "--fe", "-2", "-n", "8", "--candidates", "8", "--batch-size", "8", "--seed", "3"};
        var r = exec(args(concat(common, "--out", keep.toString(), "--retry-empty=false")));
        assertEquals(0, r.code(), r.out() + r.err());
        List<CSVRecord> first = checkOutputs(keep, 8);
        long empty = first.stream().filter(x -> x.get("num_atoms").equals("0")).count();
        assertTrue(empty > 0 && empty < 8, "the altered head gives some empty crystals: " + empty);
        assertEquals("model predicted 0 atoms", first.stream().filter(x -> x.get("num_atoms").equals("0")).findFirst().orElseThrow().get("error"));
        assertFalse(new ObjectMapper().readTree(keep.resolve("run.json").toFile()).has("redrawn_empty"));

        r = exec(args(concat(common, "--out", retry.toString())));
        assertEquals(0, r.code(), r.out() + r.err());
        List<CSVRecord> rows = checkOutputs(retry, 8);
        assertEquals(0, rows.stream().filter(x -> x.get("num_atoms").equals("0")).count(), "every crystal has atoms after redrawing");
        JsonNode run = new ObjectMapper().readTree(retry.resolve("run.json").toFile());
        assertTrue(run.path("redrawn_empty").asInt() >= empty, run.toString());
        // the first draw is the same: crystals that had atoms then are the same crystals now
        for (int i = 0; i < 8; i++) {
            if (!first.get(i).get("num_atoms").equals("0")) assertEquals(first.get(i).get("cif"), rows.get(i).get("cif"));
        }
        // a head that always predicts 0 atoms: the redraws stop after the bound, the error rows stay, a warning says so
        Path never = emptyModel(tmp.resolve("never"), true), out = tmp.resolve("bounded");
        common[2] = never.toString();
        r = exec(args(concat(common, "--out", out.toString())));
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(8, checkOutputs(out, 8).stream().filter(x -> x.get("num_atoms").equals("0")).count());
        assertEquals(8 * 10, new ObjectMapper().readTree(out.resolve("run.json").toFile()).path("redrawn_empty").asInt(), "8 latents x 10 rounds");
        assertTrue(r.err().contains("warning: 8 crystals have 0 atoms (error rows in samples.csv) after 10 rounds"), r.err());
    }

    static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void formatsAndSymmetrize(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("fmt");
        var r = sample(out, "--fe", "-2", "-n", "2", "--candidates", "2", "--format", "poscar", "--symmetrize", "0.1", "--natoms", "4", "--exact-natoms");
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(out.resolve("cifs")));
        assertFalse(Files.exists(out.resolve("samples.extxyz")));
        List<CSVRecord> rows;
        try (var p = org.apache.commons.csv.CSVParser.parse(out.resolve("samples.csv"), java.nio.charset.StandardCharsets.UTF_8,
                org.apache.commons.csv.CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build())) {
            rows = p.getRecords();
        }
        assertEquals(2, rows.size());
        for (CSVRecord row : rows) {
            Structure generated = CifReader.readOne(row.get("cif"), "csv");
            Path pos = out.resolve("poscars").resolve(row.get("id") + ".vasp");
            assertEquals(generated.composition(), PoscarReader.read(Files.readString(pos), pos.toString(), null).composition());
            int sg = Integer.parseInt(row.get("spacegroup")), sym = Integer.parseInt(row.get("spacegroup_symmetrized"));
            assertEquals(new SpacegroupAnalyzer(generated).getSpaceGroupNumber(), sg, "as generated, at 0.01 Å");
            assertEquals(new SpacegroupAnalyzer(generated, 0.1, 5).getSpaceGroupNumber(), sym);
            Path sf = out.resolve("symmetrized").resolve(row.get("id") + ".cif");
            String text = Files.readString(sf);
            assertTrue(text.contains("_symmetry_Int_Tables_number   " + sym), text);
            Structure refined = CifReader.readOne(text, sf.toString());
            assertEquals(sym, new SpacegroupAnalyzer(refined, 1e-3, 5).getSpaceGroupNumber());
            assertEquals(generated.composition().reduced(), refined.composition().reduced());
        }
        r = sample(tmp.resolve("f2"), "--fe", "-2", "-n", "1", "--format", "cif,xyz");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown format 'xyz'"), r.err());
    }

    @Test
    void targetChecksAndFlagNames(@TempDir Path tmp) {
        var r = sample(tmp.resolve("a"), "--bg", "-1", "-n", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: --bg -1: a band gap cannot be negative"), r.err());
        r = sample(tmp.resolve("b"), "--fe", "-2", "--sg", "231", "-n", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--sg 231"), r.err());
        r = sample(tmp.resolve("c"), "--fe", "-2", "--natoms", "0", "-n", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--natoms 0: an atom count is an integer of at least 1"), r.err());
        // formation energy 100 eV/atom: outside the condition's -6..1 range: a warning, or an error with --strict-targets
        r = sample(tmp.resolve("d"), "--fe", "100", "-n", "1", "--candidates", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: --fe 100 is outside the training range of formation_energy_per_atom, -6 to 1"), r.err());
        r = sample(tmp.resolve("e"), "--fe", "100", "-n", "1", "--strict-targets");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: --fe 100 is outside"), r.err());
        assertFalse(Files.exists(tmp.resolve("e").resolve("run.json")));
        // 'full' from flags names the missing flags
        r = sample(tmp.resolve("f"), "--strategy", "full", "--fe", "-2", "--bg", "1", "-n", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("needs --cs, --sg, --ehull, --natoms (or a --targets CSV with columns crystal_system, spacegroup, e_above_hull, n_atom)"), r.err());
        r = sample(tmp.resolve("g"), "--strategy", "full", "--fe", "-2", "--bg", "1", "--cs", "cubic", "--sg", "225", "--ehull", "0",
                "--natoms", "8", "-n", "1", "--candidates", "1");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void lessFillDefaultsToTheConfigAndOneRowIsConsistent(@TempDir Path tmp) throws IOException {
        Path ref = model.getParent().resolve("data/train.csv");
        Path out = tmp.resolve("one");
        var r = sample(out, "--strategy", "less", "--cs", "cubic", "-n", "4", "--candidates", "4", "--reference", ref.toString(),
                "--less-fill", "one-row", "--less-tolerance", "0.2");
        assertEquals(0, r.code(), r.err());
        List<CSVRecord> rows = checkOutputs(out, 4);
        List<String> refRows = Files.readAllLines(ref);
        for (CSVRecord row : rows) {
            // space group and atom count come from one cubic training row
            int sg = (int) Double.parseDouble(row.get("cond_spacegroup"));
            assertTrue(sg >= 195, "a cubic space group: " + sg);
        }
        JsonNode settings = new ObjectMapper().readTree(out.resolve("run.json").toFile()).path("settings");
        assertEquals("one-row", settings.path("less_fill").asText());
        assertEquals(0.2, settings.path("less_tolerance").asDouble());
        assertTrue(refRows.size() > 1);
        // without --less-fill: gen.less_mode (filtered_rows, 'paper') and gen.down_sample (100) of the model's config
        Path def = tmp.resolve("def");
        r = sample(def, "--strategy", "less", "--cs", "cubic", "-n", "1", "--reference", ref.toString());
        assertEquals(0, r.code(), r.err());
        settings = new ObjectMapper().readTree(def.resolve("run.json").toFile()).path("settings");
        assertEquals("paper", settings.path("less_fill").asText());
        assertEquals(100, settings.path("candidates_per_kept").asInt());
    }

    /**
     * The acceptance command on the built-in model, with a short Langevin schedule (the full schedule is run by hand):
     * every crystal is NaCl times the chosen Z, and every POSCAR, CIF and symmetrized CIF reads back with the project's
     * readers as the same composition.
     */
    @Test
    void builtinNaClExactCompositionEndToEnd(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("nacl");
        var r = builtin(out, "--fe", "-2", "--bg", "3", "--formula", "NaCl", "--exact-composition", "-n", "4", "--candidates", "8",
                "--format", "cif,poscar", "--symmetrize", "0.1");
        assertEquals(0, r.code(), r.out() + r.err());
        List<CSVRecord> rows = checkOutputs(out, 4);
        for (CSVRecord row : rows) {
            String id = row.get("id");
            Structure s = cif(out, id);
            int z = s.size() / 2;
            assertTrue(z >= 1 && s.size() == 2 * z && s.size() <= 20, "NaCl x Z within max_atoms: " + s.size());
            assertEquals(z, s.composition().count(11));
            assertEquals(z, s.composition().count(17));
            Path pos = out.resolve("poscars").resolve(id + ".vasp");
            Structure p = PoscarReader.read(Files.readString(pos), pos.toString(), null);
            assertEquals(s.composition(), p.composition());
            assertArrayEquals(s.lattice().parameters(), p.lattice().parameters(), 1e-6);
            Path sym = out.resolve("symmetrized").resolve(id + ".cif");
            if (!row.get("spacegroup_symmetrized").isEmpty()) {
                Structure refined = CifReader.readOne(Files.readString(sym), sym.toString());
                assertEquals(ElementFeatures.parseFormula("NaCl"), refined.composition().reduced());
            }
        }
        assertFalse(Files.exists(out.resolve("samples.extxyz")), "--format cif,poscar: no extxyz");
        // the band-gap and formation-energy targets condition the prior and score the Predictor's outputs (both heads of
        // the built-in model): score = sum of |normalised prediction - normalised target|
        for (CSVRecord row : rows) {
            assertEquals(3.0, Double.parseDouble(row.get("cond_band_gap")), 0);
            assertEquals(-2.0, Double.parseDouble(row.get("cond_formation_energy_per_atom")), 0);
            double bg = Double.parseDouble(row.get("pred_band_gap")), fe = Double.parseDouble(row.get("pred_formation_energy_per_atom"));
            assertTrue(Double.isFinite(bg) && Double.isFinite(fe));
        }
    }

    /** Shards of a run with the new outputs merge to the unsharded run: table, POSCARs, symmetrized CIFs, latents. */
    @Test
    void newOutputsShardAndMerge(@TempDir Path tmp) throws IOException {
        String[] common = {"sample", "--model", model.toString(), "--fe", "-2", "-n", "3", "--candidates", "3", "--batch-size", "1",
                "--samples-per-z", "2", "--format", "poscar,extxyz", "--symmetrize", "0.1", "--save-latents", "--seed", "9"};
        Path whole = tmp.resolve("whole");
        var r = exec(args(concat(common, "--out", whole.toString())));
        assertEquals(0, r.code(), r.err());
        // resuming the finished run keeps its latents (read back from latents.safetensors)
        byte[] before = Files.readAllBytes(whole.resolve("latents.safetensors"));
        r = exec(args(concat(common, "--out", whole.toString(), "--resume")));
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(before, Files.readAllBytes(whole.resolve("latents.safetensors")));
        List<Path> parts = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path d = tmp.resolve("s" + i);
            r = exec(args(concat(common, "--out", d.toString(), "--shard", i + "/2")));
            assertEquals(0, r.code(), r.err());
            parts.add(d);
        }
        Path merged = tmp.resolve("merged");
        r = exec("sample", "merge", "--quiet", "--out", merged.toString(), parts.get(0).toString(), parts.get(1).toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(whole.resolve("samples.csv")), Files.readString(merged.resolve("samples.csv")));
        assertEquals(Files.readString(whole.resolve("samples.extxyz")), Files.readString(merged.resolve("samples.extxyz")));
        for (String sub : List.of("poscars", "symmetrized")) {
            List<String> a = SampleShardTest.files(whole.resolve(sub)), b = SampleShardTest.files(merged.resolve(sub));
            assertEquals(a, b, sub);
            for (String f : a) assertEquals(Files.readString(whole.resolve(sub).resolve(f)), Files.readString(merged.resolve(sub).resolve(f)));
        }
        assertEquals(6, SampleShardTest.files(whole.resolve("poscars")).size(), "3 latents x 2 decodes");
        Safetensors a = Safetensors.read(whole.resolve("latents.safetensors")), b = Safetensors.read(merged.resolve("latents.safetensors"));
        assertEquals(LatentFile.ids(a), LatentFile.ids(b));
        assertArrayEquals(a.floats("z"), b.floats("z"));
        assertArrayEquals(a.doubles("pred_formation_energy_per_atom"), b.doubles("pred_formation_energy_per_atom"));
        assertFalse(Files.exists(merged.resolve("cifs")));
    }

    /** gen.down_sample, gen.less_mode and gen.tolerate of the model's config are the defaults of the flags. */
    @Test
    void generationKeysOfTheConfigAreHonoured(@TempDir Path tmp) throws IOException {
        Path copy = tmp.resolve("model");
        Files.createDirectories(copy);
        try (var files = Files.list(model)) {
            for (Path f : files.toList()) if (Files.isRegularFile(f)) Files.copy(f, copy.resolve(f.getFileName()));
        }
        String cfg = Files.readString(copy.resolve("config.yaml"));
        String edited = cfg.replaceFirst("(?m)^  down_sample: .*$", "  down_sample: 3")
                .replaceFirst("(?m)^  less_mode: .*$", "  less_mode: \"one_row\"")
                .replaceFirst("(?m)^  tolerate: .*$", "  tolerate: 0.3");
        assertNotEquals(cfg, edited);
        Files.writeString(copy.resolve("config.yaml"), edited);
        Path ref = model.getParent().resolve("data/train.csv"), out = tmp.resolve("out");
        var r = exec(args("sample", "--model", copy.toString(), "--strategy", "less", "--cs", "cubic", "-n", "2", "--reference", ref.toString(),
                "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        JsonNode settings = new ObjectMapper().readTree(out.resolve("run.json").toFile()).path("settings");
        assertEquals(3, settings.path("candidates_per_kept").asInt());
        assertEquals("one-row", settings.path("less_fill").asText());
        assertEquals(0.3, settings.path("less_tolerance").asDouble());
        // a flag overrides the config
        r = exec(args("sample", "--model", copy.toString(), "--strategy", "less", "--cs", "cubic", "-n", "2", "--reference", ref.toString(),
                "--less-fill", "random", "--candidates", "2", "--out", tmp.resolve("flag").toString()));
        assertEquals(0, r.code(), r.err());
        settings = new ObjectMapper().readTree(tmp.resolve("flag").resolve("run.json").toFile()).path("settings");
        assertEquals("random", settings.path("less_fill").asText());
        assertEquals(1, settings.path("candidates_per_kept").asInt());
        // a config value the flag does not know is refused by the config validator
        Files.writeString(copy.resolve("config.yaml"), edited.replace("\"one_row\"", "\"some_rows\""));
        r = exec(args("sample", "--model", copy.toString(), "--fe", "-1", "-n", "1", "--out", tmp.resolve("bad").toString()));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("gen.less_mode"), r.err());
    }

    /** --help documents every control, says which formula/atom-count options are soft and which hard, and has examples. */
    @Test
    void helpDocumentsTheControls() {
        var r = exec("sample", "--help");
        assertEquals(0, r.code());
        for (String f : List.of("--exact-composition", "--z=K", "--exact-natoms", "--samples-per-z", "--retry-empty", "--format", "--symmetrize",
                "--save-latents", "--less-fill", "one-row", "--less-tolerance", "--ehull", "--natoms", "--strict-targets", "Examples:",
                "soft condition", "hard control", "e_above_hull (--ehull), n_atom (--natoms)")) {
            assertTrue(r.out().replaceAll("\\s+", " ").contains(f), f + "\n" + r.out());
        }
    }
}

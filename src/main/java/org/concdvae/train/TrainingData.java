package org.concdvae.train;

import org.concdvae.config.Config;
import org.concdvae.data.CrystalCache;
import org.concdvae.data.CrystalRecord;
import org.concdvae.data.DatasetSplit;
import org.concdvae.data.LatticeScaler;
import org.concdvae.data.Preprocessor;
import org.concdvae.data.PropertySelection;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.Safetensors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The training and validation crystals of a step-one run, the lattice scaler fitted on the training split, and a
 * checksum of the input files. {@code --data} may be: a directory written by {@code concdvae preprocess} (the split
 * caches of {@code data.cache.*}, plus its {@code lattice_scaler.txt}); a directory of CSV splits
 * ({@code data.splits.train/val}, preprocessed now); or one CSV (preprocessed and split 8:1:1 with the seed).
 */
public record TrainingData(List<CrystalRecord> train, List<CrystalRecord> val, List<String> propertyNames,
                           LatticeScaler scaler, String checksum, String source) {
    private static final Logger log = LoggerFactory.getLogger(TrainingData.class);

    /** Loads {@code data} as described above. */
    public static TrainingData load(Path data, Config cfg, long seed, int threads) {
        if (!Files.exists(data)) throw new InvalidInputException(data + ": data not found");
        if (Files.isDirectory(data)) {
            Path trainCache = data.resolve(cfg.data().cache().train()), valCache = data.resolve(cfg.data().cache().val());
            if (Files.isRegularFile(trainCache) && Files.isRegularFile(valCache)) {
                String settings = CrystalCache.settings(cfg);
                CrystalCache.Contents tr = CrystalCache.read(trainCache, settings);
                CrystalCache.Contents va = CrystalCache.read(valCache, settings);
                Path scalerFile = data.resolve(cfg.data().latticeScalerFile());
                LatticeScaler scaler = Files.isRegularFile(scalerFile) ? LatticeScaler.read(scalerFile) : LatticeScaler.fit(tr.crystals());
                List<CrystalRecord> train = PropertySelection.select(tr.crystals(), tr.properties(), cfg, trainCache.toString(), log::warn);
                List<CrystalRecord> val = PropertySelection.select(va.crystals(), va.properties(), cfg, valCache.toString(), log::warn);
                return of(train, val, cfg.data().preloProp(), scaler, checksum(List.of(trainCache, valCache)), data.toString());
            }
            Path trainCsv = data.resolve(cfg.data().splits().train()), valCsv = data.resolve(cfg.data().splits().val());
            if (!Files.isRegularFile(trainCsv) || !Files.isRegularFile(valCsv)) {
                throw new InvalidInputException(data + ": neither preprocessed caches (" + cfg.data().cache().train() + ", "
                        + cfg.data().cache().val() + ") nor CSV splits (" + cfg.data().splits().train() + ", "
                        + cfg.data().splits().val() + ") found");
            }
            Preprocessor pre = new Preprocessor(cfg, threads, false);
            List<CrystalRecord> tr = kept(pre.process(trainCsv, i -> {}));
            List<CrystalRecord> va = kept(pre.process(valCsv, i -> {}));
            return of(tr, va, pre.propertyNames(), null, checksum(List.of(trainCsv, valCsv)), data.toString());
        }
        Preprocessor pre = new Preprocessor(cfg, threads, false);
        List<CrystalRecord> all = kept(pre.process(data, i -> {}));
        int[][] idx = DatasetSplit.assign(all.size(), cfg.data().split().val(), cfg.data().split().test(), seed);
        return of(DatasetSplit.select(all, idx[0]), DatasetSplit.select(all, idx[1]), pre.propertyNames(), null,
                checksum(List.of(data)), data.toString());
    }

    private static TrainingData of(List<CrystalRecord> train, List<CrystalRecord> val, List<String> props,
                                   LatticeScaler scaler, String checksum, String source) {
        if (train.isEmpty()) throw new InvalidInputException(source + ": no usable training crystals");
        if (val.isEmpty()) throw new InvalidInputException(source + ": no validation crystals (val_loss drives the schedule and checkpoints)");
        return new TrainingData(train, val, props, scaler == null ? LatticeScaler.fit(train) : scaler, checksum, source);
    }

    private static List<CrystalRecord> kept(Preprocessor.FileResult r) {
        if (!r.rejected().isEmpty()) {
            log.warn("{}: {} of {} rows rejected (first: {})", r.file(), r.rejected().size(), r.read(), r.rejected().get(0).describe());
        }
        return new ArrayList<>(r.kept());
    }

    /** SHA-256 over the files' names and SHA-256s, in order. */
    static String checksum(List<Path> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                md.update(Safetensors.sha256(f).getBytes(StandardCharsets.US_ASCII));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

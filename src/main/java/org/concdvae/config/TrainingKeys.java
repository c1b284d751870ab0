package org.concdvae.config;

import org.concdvae.io.InvalidInputException;

import java.util.Objects;

/**
 * Training keys that the trainers implement for one value only (the official one): any other value is an error that
 * names the key, instead of being read and silently ignored. Checked by the training commands, not by the loader, so
 * that importing an official model never fails over a training-only key. {@code train.strategy} and the other
 * Lightning plumbing keys are unknown keys to the loader (an error as well); {@code train.devices} and
 * {@code train.accumulate_grad_batches} are the data-parallel trainer's.
 */
public final class TrainingKeys {
    private TrainingKeys() {}

    /** Step-one training keys ({@code train.*}, {@code optim.lr_scheduler.*}); {@code origin} names the config. */
    public static void checkStepOne(Config c, String origin) {
        Config.Train t = c.train();
        only("train.val_check_interval", t.valCheckInterval(), 1, "validation runs once per epoch", origin);
        only("train.monitor_metric", t.monitorMetric(), "val_loss", "checkpoints, early stopping and the scheduler follow val_loss", origin);
        only("train.monitor_metric_mode", t.monitorMetricMode(), "min", "lower val_loss is better", origin);
        only("train.deterministic", t.deterministic(), true, "training is always deterministic", origin);
        only("train.use_exit", t.useExit(), false, "there is no exit hook", origin);
        only("train.model_checkpoints.save_top_k", t.modelCheckpoints().saveTopK(), 1, "the best and the last checkpoint are kept", origin);
        only("train.model_checkpoints.save_last", t.modelCheckpoints().saveLast(), true, "the last checkpoint is what --resume continues", origin);
        scheduler("optim.lr_scheduler", c.optim().lrScheduler(), origin);
    }

    /** Prior training keys ({@code prior.train.*}, {@code prior.optim.lr_scheduler.*}). */
    public static void checkPrior(Config c, String origin) {
        Config.PriorTrain t = c.prior().train();
        only("prior.train.deterministic", t.deterministic(), true, "training is always deterministic", origin);
        only("prior.train.model_checkpoints.save_top_k", t.modelCheckpoints().saveTopK(), 1, "the best and the last checkpoint are kept", origin);
        only("prior.train.model_checkpoints.save_last", t.modelCheckpoints().saveLast(), true, "the last checkpoint is what --resume continues", origin);
        scheduler("prior.optim.lr_scheduler", c.prior().optim().lrScheduler(), origin);
    }

    private static void scheduler(String key, Config.LrScheduler s, String origin) {
        if (s == null) return;
        only(key + ".monitor", s.monitor(), "val_loss", "the scheduler steps on val_loss", origin);
        only(key + ".mode", s.mode(), "min", "lower val_loss is better", origin);
    }

    private static void only(String key, Object value, Object supported, String why, String origin) {
        if (!Objects.equals(value, supported)) {
            throw new InvalidInputException(key + ": " + value + " is not supported (" + why + "; remove the key or set "
                    + supported + ") (" + origin + ")");
        }
    }
}

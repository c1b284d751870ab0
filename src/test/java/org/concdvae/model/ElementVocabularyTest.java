package org.concdvae.model;

import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.crystal.Composition;
import org.concdvae.crystal.Element;
import org.concdvae.data.CrystalRecord;
import org.concdvae.data.Preprocessor;
import org.concdvae.train.TrainingData;
import org.concdvae.io.InvalidInputException;
import org.concdvae.nn.ParameterStore;
import org.concdvae.autodiff.Tape;
import org.concdvae.testutil.SharedData;
import org.concdvae.train.Batches;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The element table knows Z up to 118; the model's vocabulary stays Z = 1..100 and says so for heavier elements. */
class ElementVocabularyTest {
    @Test
    void vocabularyIsTheOfficialHundred() {
        assertEquals(100, CrystalStatsHeads.MAX_ATOMIC_NUM);
        assertEquals(94, ConCdvae.VOCABULARY_MAX_Z);
        assertEquals(Preprocessor.VOCABULARY_MAX_Z, ConCdvae.VOCABULARY_MAX_Z);
        assertEquals(118, Element.MAX_Z);
    }

    @Test
    void builtInFeaturesHaveNoEntryBeyondFermium() {
        ElementFeatures f = ElementFeatures.builtIn();
        assertEquals(ElementFeatures.CGCNN_WIDTH, f.of(100).length);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> f.of(101));
        assertTrue(e.getMessage().contains("no entry for Z = 101"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> f.mean(Composition.of(new int[]{101, 8})));
    }

    @Test
    void modelRejectsAnElementOutsideItsVocabulary() {
        Config tiny = ConfigLoader.resolve("tiny", List.of());
        TrainingData mptest = TrainingData.load(SharedData.path("data/mptest"), tiny, 42, 1);
        CrystalRecord r = mptest.train().get(0);
        int[] types = r.atomTypes().clone();
        types[0] = 101;
        CrystalRecord md = new CrystalRecord(r.id(), r.file(), r.row(), types, r.fracCoords(), r.lengths(), r.angles(),
                r.properties(), r.edgeSource(), r.edgeTarget(), r.edgeImages());
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        ConCdvae model = new ConCdvae(store, tiny.model());
        model.initialise(new Random(3));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> {
            ConCdvae.Batch b = Batches.collate(List.of(md), mptest.propertyNames(), Batches.neededProperties(model), model, 1);
            try (Tape t = Tape.training()) {
                model.forward(t, b, true, new Random(11), ConCdvae.Draws.NONE, mptest.scaler().means(),
                        mptest.scaler().stds(), 1);
            }
        });
        assertTrue(e.getMessage().contains("element Md (Z = 101) is outside the model's element vocabulary Z = 1..94"),
                e.getMessage());
        // americium (Z = 95) is in the element table and in the composition head, but not in the encoder's embedding
        assertTrue(assertThrows(InvalidInputException.class, () -> ConCdvae.checkVocabulary(new int[]{8, 95}))
                .getMessage().contains("element Am (Z = 95)"));
    }
}

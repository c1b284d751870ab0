package org.concdvae.autodiff;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerGangTest {
    private static WorkerGang gang;

    @BeforeAll
    static void start() { gang = new WorkerGang(3); }

    @AfterAll
    static void stop() { gang.shutdown(); }

    private static void assertEachOnce(AtomicIntegerArray hits) {
        for (int i = 0; i < hits.length(); i++) assertEquals(1, hits.get(i), "index " + i);
    }

    @Test
    void everyIndexRunsExactlyOnceOverManyLoops() {
        for (int round = 0; round < 2000; round++) {
            int n = 1 + round % 97, chunks = 1 + round % 12;
            AtomicIntegerArray hits = new AtomicIntegerArray(n);
            gang.run(n, chunks, (from, to) -> {
                for (int i = from; i < to; i++) hits.incrementAndGet(i);
            });
            assertEachOnce(hits);
        }
    }

    @Test
    void chunksAreTheSameContiguousRangesWhoeverRunsThem() {
        ConcurrentHashMap<Integer, Integer> ranges = new ConcurrentHashMap<>();
        gang.run(100, 8, (from, to) -> ranges.put(from, to));
        assertEquals(8, ranges.size());
        int expectedFrom = 0;
        for (int c = 0; c < 8; c++) {
            assertTrue(ranges.containsKey(expectedFrom), "chunk starting at " + expectedFrom);
            assertEquals(100 * (c + 1) / 8, ranges.get(expectedFrom));
            expectedFrom = ranges.get(expectedFrom);
        }
    }

    @Test
    void theFirstFailureIsRethrownUnchangedAndTheGangKeepsWorking() {
        IllegalArgumentException boom = new IllegalArgumentException("bad row 42");
        IllegalArgumentException got = assertThrows(IllegalArgumentException.class, () -> gang.run(100, 10, (from, to) -> {
            if (from <= 42 && 42 < to) throw boom;
        }));
        assertSame(boom, got);
        AtomicIntegerArray hits = new AtomicIntegerArray(50);
        gang.run(50, 5, (from, to) -> {
            for (int i = from; i < to; i++) hits.incrementAndGet(i);
        });
        assertEachOnce(hits);
    }

    @Test
    void aLoopInsideAChunkRunsOnItsCallerWithoutDeadlock() {
        AtomicIntegerArray hits = new AtomicIntegerArray(40 * 30);
        gang.run(40, 8, (from, to) -> {
            for (int i = from; i < to; i++) {
                final int row = i;
                gang.run(30, 6, (f2, t2) -> {
                    for (int j = f2; j < t2; j++) hits.incrementAndGet(row * 30 + j);
                });
            }
        });
        assertEachOnce(hits);
    }

    @Test
    void loopsStartedFromSeveralThreadsAtOnceAllComplete() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<AtomicIntegerArray>> results = new ArrayList<>();
            for (int k = 0; k < 200; k++) {
                final int n = 50 + k;
                results.add(callers.submit(() -> {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    gang.run(n, 7, (from, to) -> {
                        for (int i = from; i < to; i++) hits.incrementAndGet(i);
                    });
                    return hits;
                }));
            }
            for (Future<AtomicIntegerArray> f : results) assertEachOnce(f.get());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void helpersTakeChunksWhileTheCallerIsBusy() throws InterruptedException {
        // the caller holds its first chunk until another thread has run one: only a working helper can release it
        java.util.concurrent.CountDownLatch otherRan = new java.util.concurrent.CountDownLatch(1);
        Thread caller = Thread.currentThread();
        ConcurrentHashMap<String, Boolean> names = new ConcurrentHashMap<>();
        gang.run(4, 4, (from, to) -> {
            names.put(Thread.currentThread().getName(), true);
            if (Thread.currentThread() != caller) otherRan.countDown();
            else {
                try {
                    assertTrue(otherRan.await(30, TimeUnit.SECONDS), "no helper ran a chunk");
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        assertTrue(names.keySet().stream().anyMatch(n -> n.startsWith("concdvae-worker-")), names.toString());
    }

    @Test
    void aGangOfOneRunsTheWholeRangeOnTheCaller() {
        WorkerGang one = new WorkerGang(1);
        try {
            assertEquals(1, one.threads());
            List<String> who = new ArrayList<>();
            one.run(10, 5, (from, to) -> {
                assertEquals(0, from);
                assertEquals(10, to);
                who.add(Thread.currentThread().getName());
            });
            assertEquals(List.of(Thread.currentThread().getName()), who);
        } finally {
            one.shutdown();
        }
    }
}

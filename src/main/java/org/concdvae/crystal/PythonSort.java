package org.concdvae.crystal;

import java.util.Comparator;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * CPython's {@code list.sort} for short lists, so orderings that pymatgen derives from a <em>partial</em> order
 * (electronegativity comparisons where He, Ne, Ar have none and every comparison with NaN is false) come out exactly
 * as in pymatgen. For fewer than 64 items CPython's timsort is one natural run followed by binary insertion; that is
 * what {@link #sort} does. Longer lists fall back to a stable sort with the given total order, which agrees whenever
 * {@code lessThan} is itself a strict weak order (no NaN involved).
 */
final class PythonSort {
    private PythonSort() {}

    private static final int MIN_MERGE = 64;

    static <T> void sort(List<T> a, BiPredicate<T, T> lessThan, Comparator<T> totalFallback) {
        int n = a.size();
        if (n < 2) return;
        if (n >= MIN_MERGE) {
            a.sort(totalFallback);
            return;
        }
        // count_run
        int run = 2;
        if (lessThan.test(a.get(1), a.get(0))) {
            while (run < n && lessThan.test(a.get(run), a.get(run - 1))) run++;
            for (int i = 0, j = run - 1; i < j; i++, j--) {
                T t = a.get(i);
                a.set(i, a.get(j));
                a.set(j, t);
            }
        } else {
            while (run < n && !lessThan.test(a.get(run), a.get(run - 1))) run++;
        }
        // binarysort(lo, hi = n, start = run)
        for (int start = run; start < n; start++) {
            T pivot = a.get(start);
            int l = 0, r = start;
            do {
                int p = l + ((r - l) >> 1);
                if (lessThan.test(pivot, a.get(p))) r = p;
                else l = p + 1;
            } while (l < r);
            for (int p = start; p > l; p--) a.set(p, a.get(p - 1));
            a.set(l, pivot);
        }
    }
}

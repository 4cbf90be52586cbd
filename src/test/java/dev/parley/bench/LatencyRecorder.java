package dev.parley.bench;

import java.util.Arrays;

/** Latency samples in microseconds; percentiles by sorting a copy (runs are short and bounded). */
final class LatencyRecorder {

    private long[] samples = new long[1 << 16];
    private int size;

    synchronized void record(long micros) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = micros;
    }

    synchronized int count() {
        return size;
    }

    synchronized Summary summary() {
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        return new Summary(size, at(sorted, 0.50), at(sorted, 0.95), at(sorted, 0.99),
                size == 0 ? 0 : sorted[size - 1] / 1000.0);
    }

    private static double at(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1000.0;
    }

    /** Milliseconds. */
    record Summary(int count, double p50, double p95, double p99, double max) {
    }
}

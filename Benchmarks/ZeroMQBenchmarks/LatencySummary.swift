import Histogram

/// The median and 99th percentile of round-trip `samples` (nanoseconds), in
/// microseconds, read from an HdrHistogram (to within 0.1%: three significant
/// digits). The C baseline's samples and the Swift side's go through this
/// same function, so both rows report the same statistic.
func latencySummary(_ samples: [UInt64]) -> (median: Double, p99: Double) {
    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    histogram.autoResize = true
    for sample in samples { _ = histogram.record(sample) }
    return (Double(histogram.valueAtPercentile(50)) / 1_000, Double(histogram.valueAtPercentile(99)) / 1_000)
}

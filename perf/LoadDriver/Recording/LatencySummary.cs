namespace LoadDriver.Recording;

/// <summary>The percentiles a run reports, in microseconds.</summary>
internal sealed record LatencySummary(long Count, double MeanUs, double P50Us, double P99Us, double P999Us, double MaxUs)
{
    /// <summary>Summarises <paramref name="histogram"/> (nanoseconds) in microseconds.</summary>
    public static LatencySummary From(LatencyHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        return new LatencySummary(
            histogram.Count,
            histogram.Count == 0 ? 0 : histogram.Sum / histogram.Count / 1000,
            histogram.ValueAtPercentile(50) / 1000.0,
            histogram.ValueAtPercentile(99) / 1000.0,
            histogram.ValueAtPercentile(99.9) / 1000.0,
            histogram.Count == 0 ? 0 : histogram.Max / 1000.0);
    }
}

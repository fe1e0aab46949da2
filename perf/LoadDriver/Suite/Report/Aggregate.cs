using LoadDriver.Suite.Results;
using LoadDriver.Suite.Scenarios;

namespace LoadDriver.Suite.Report;

/// <summary>The repetitions of one subject in one scenario variant, reduced to medians and spread.</summary>
internal sealed record Aggregate(string Scenario, string Variant, string Subject, string Unit, IReadOnlyList<Measurement> Runs)
{
    public double Median => ScenarioBase.Median(Runs.Select(r => r.Value));

    public double Min => Runs.Min(r => r.Value);

    public double Max => Runs.Max(r => r.Value);

    /// <summary>(max − min) / median, as a percentage.</summary>
    public double SpreadPercent => Median == 0 ? 0 : 100 * (Max - Min) / Median;

    public double? CpuUs => MedianOf(r => r.CpuUsPerRequest);

    public double? CpuSecondsPerGB => MedianOf(r => r.CpuSecondsPerGB);

    public double? P50 => MedianOf(r => r.Latency?.Count > 0 ? r.Latency.P50Us : null);

    public double? P99 => MedianOf(r => r.Latency?.Count > 0 ? r.Latency.P99Us : null);

    public double? P999 => MedianOf(r => r.Latency?.Count > 0 ? r.Latency.P999Us : null);

    public double? MaxLatency => Runs.Any(r => r.Latency?.Count > 0) ? Runs.Where(r => r.Latency?.Count > 0).Max(r => r.Latency!.MaxUs) : null;

    public long Ok => Runs.Sum(r => r.Ok);

    public long Errors => Runs.Sum(r => r.Errors);

    public string? FirstError => Runs.Select(r => r.FirstError).FirstOrDefault(e => e is not null);

    public double? Extra(string key) => MedianOf(r => r.Extra is { } extra && extra.TryGetValue(key, out double value) ? value : null);

    /// <summary>Groups measurements by scenario, variant and subject, in the order they were taken.</summary>
    public static List<Aggregate> From(IEnumerable<Measurement> measurements) =>
        measurements
            .GroupBy(m => (m.Scenario, m.Variant, m.Subject))
            .Select(g => new Aggregate(g.Key.Scenario, g.Key.Variant, g.Key.Subject, g.First().Unit, g.ToList()))
            .ToList();

    private double? MedianOf(Func<Measurement, double?> pick)
    {
        var values = Runs.Select(pick).Where(v => v is not null).Select(v => v!.Value).ToList();
        return values.Count == 0 ? null : ScenarioBase.Median(values);
    }
}

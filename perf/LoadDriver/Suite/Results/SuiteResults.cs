namespace LoadDriver.Suite.Results;

/// <summary>Everything one suite run produced: written raw to latest.json, rendered to latest.md.</summary>
internal sealed class SuiteResults
{
    public required string Command { get; init; }

    public required bool Quick { get; init; }

    /// <summary>Warm-up before each measured window, seconds.</summary>
    public required double WarmupSeconds { get; init; }

    /// <summary>Length of each measured window, seconds.</summary>
    public required double WindowSeconds { get; init; }

    public required DateTimeOffset Started { get; init; }

    public DateTimeOffset Finished { get; set; }

    public required IReadOnlyDictionary<string, string> Machine { get; init; }

    public Dictionary<string, string> Versions { get; } = new(StringComparer.Ordinal);

    public List<Measurement> Measurements { get; } = [];

    public List<NotRun> NotRun { get; } = [];

    /// <summary>Notes per scenario (what a figure means, what configuration was used).</summary>
    public Dictionary<string, List<string>> Notes { get; } = new(StringComparer.Ordinal);

    public string? LoadAverageAtEnd { get; set; }

    /// <summary>BenchmarkDotNet reports (GitHub markdown) by benchmark class, when run.sh --micro ran them.</summary>
    public SortedDictionary<string, string> MicroBenchmarks { get; } = new(StringComparer.Ordinal);

    public void Note(string scenario, string note)
    {
        if (!Notes.TryGetValue(scenario, out List<string>? list))
        {
            Notes[scenario] = list = [];
        }

        list.Add(note);
    }
}

using System.Globalization;

namespace LoadDriver.Suite;

/// <summary>Command-line knobs of <c>LoadDriver suite</c> (run by <c>perf/run.sh</c>).</summary>
internal sealed record SuiteOptions
{
    /// <summary>The short run (under 5 minutes) instead of the full one (under 30).</summary>
    public bool Quick { get; init; }

    /// <summary>Repository root (gateway build, results folder).</summary>
    public required string Root { get; init; }

    /// <summary>Where latest.md and latest.json go.</summary>
    public required string ResultsDir { get; init; }

    /// <summary>Scratch directory for configs, state and logs.</summary>
    public required string WorkDir { get; init; }

    /// <summary>Where run.sh --micro left BenchmarkDotNet's reports (<c>*-report-github.md</c>), or null.</summary>
    public string? MicroDir { get; init; }

    /// <summary>Only these scenarios (S1…S8), or all when empty.</summary>
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>CPU the proxy under test runs on.</summary>
    public string ProxyCore { get; init; } = "0";

    /// <summary>CPU the origin (and this driver, pinned by run.sh) run on.</summary>
    public string LoadCore { get; init; } = "1";

    /// <summary>The command line, as the report prints it.</summary>
    public string Command { get; init; } = "perf/run.sh";

    /// <summary>Repetitions of every measurement, subjects interleaved.</summary>
    public int Repetitions => 5;

    /// <summary>Warm-up before each measured window.</summary>
    public TimeSpan Warmup => Quick ? TimeSpan.FromSeconds(0.25) : TimeSpan.FromSeconds(1);

    /// <summary>Length of each measured window.</summary>
    public TimeSpan Window => Quick ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(3);

    /// <summary>Idle tunnel counts for S7.</summary>
    public int[] IdleCounts => Quick ? [1000] : [1000, 10000];

    /// <summary>True when scenario <paramref name="id"/> should run.</summary>
    public bool Runs(string id) => Only.Count == 0 || Only.Contains(id);

    /// <summary>Parses <c>suite [--quick] [--only S1,S3] --root DIR [--results DIR] [--work DIR]</c>.</summary>
    public static SuiteOptions Parse(string[] args)
    {
        bool quick = false;
        string root = Directory.GetCurrentDirectory();
        string? results = null;
        string? work = null;
        string? micro = null;
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--root" when i + 1 < args.Length:
                    root = args[++i];
                    break;
                case "--results" when i + 1 < args.Length:
                    results = args[++i];
                    break;
                case "--work" when i + 1 < args.Length:
                    work = args[++i];
                    break;
                case "--micro-dir" when i + 1 < args.Length:
                    micro = args[++i];
                    break;
                case "--only" when i + 1 < args.Length:
                    only.UnionWith(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                default:
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"suite: unknown argument \"{args[i]}\""));
            }
        }

        string command = "perf/run.sh" + (quick ? " --quick" : "") + (micro is null ? "" : " --micro") + (only.Count > 0 ? " --only " + string.Join(',', only.Order(StringComparer.Ordinal)) : "");
        return new SuiteOptions
        {
            Quick = quick,
            Root = Path.GetFullPath(root),
            ResultsDir = Path.GetFullPath(results ?? Path.Combine(root, "perf", "results")),
            WorkDir = Path.GetFullPath(work ?? Path.Combine(Path.GetTempPath(), "perf-suite-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture))),
            Only = only,
            MicroDir = micro,
            Command = command,
        };
    }
}

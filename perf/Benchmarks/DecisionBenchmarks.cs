using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using PolicyCompiler.Compilation;

namespace Benchmarks;

/// <summary>
/// <c>PolicySnapshot.Decide</c> per host, against policies of 10 to 1,000,000 rules
/// (budget: ≤ 50 ns median and 0 B at 100,000 rules; ≤ 100 ns at 1,000,000). Each invocation
/// decides <see cref="HostSets.Size"/> different hosts, so figures are per decision and no
/// single host's path is all that gets warm.
/// </summary>
public class DecisionBenchmarks
{
    private const int Ops = HostSets.Size;

    private PolicySnapshot _snapshot = null!;
    private SuffixWalkBaseline _baseline = null!;
    private HostSets _hosts = null!;

    /// <summary>
    /// 10, 1,000, 100,000 and 1,000,000 rules, or only the counts in <c>DECISION_RULES</c>
    /// (comma-separated, e.g. <c>DECISION_RULES=100000</c>) to measure one size in a few minutes.
    /// </summary>
    public static IEnumerable<int> RuleCounts()
    {
        string? only = Environment.GetEnvironmentVariable("DECISION_RULES");
        if (string.IsNullOrWhiteSpace(only))
        {
            return [10, 1_000, 100_000, 1_000_000];
        }

        var counts = new List<int>();
        foreach (string part in only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            counts.Add(int.Parse(part, System.Globalization.CultureInfo.InvariantCulture));
        }

        return counts;
    }

    [ParamsSource(nameof(RuleCounts))]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        long start = Stopwatch.GetTimestamp();
        var rules = RuleGenerator.Generate(Rules);
        TimeSpan generate = Stopwatch.GetElapsedTime(start);
        start = Stopwatch.GetTimestamp();
        _snapshot = SnapshotCompiler.Compile(rules.Rules);
        TimeSpan compile = Stopwatch.GetElapsedTime(start);
        _baseline = new SuffixWalkBaseline(rules.Rules);
        _hosts = new HostSets(rules, _snapshot);
        Console.WriteLine(
            $"// Setup: {Rules:N0} rules generated in {generate.TotalMilliseconds:F0} ms, compiled in {compile.TotalMilliseconds:F0} ms " +
            $"({_snapshot.NodeCount:N0} trie nodes); e.g. exact {_hosts.ExactShallow.Text[0]}, deep {_hosts.DeepWildcard.Text[0]}, " +
            $"deny {_hosts.Deny.Text[0]}, miss {_hosts.MissUnknownTld.Text[0]} / {_hosts.MissKnownTld.Text[0]}");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops, Description = "FrozenDict suffix walk, deep wildcard (chars)")]
    public int Baseline_FrozenSuffixWalk_DeepWildcard()
    {
        string[] hosts = _hosts.DeepWildcard.Text;
        int allowed = 0;
        for (int i = 0; i < hosts.Length; i++)
        {
            allowed += _baseline.Decide(hosts[i]);
        }

        return allowed;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public int ExactShallow_Utf8() => Run(_hosts.ExactShallow.Utf8);

    [Benchmark(OperationsPerInvoke = Ops)]
    public int ExactShallow_Chars() => Run(_hosts.ExactShallow.Text);

    [Benchmark(OperationsPerInvoke = Ops)]
    public int DeepWildcard_Utf8() => Run(_hosts.DeepWildcard.Utf8);

    [Benchmark(OperationsPerInvoke = Ops)]
    public int DeepWildcard_Chars() => Run(_hosts.DeepWildcard.Text);

    [Benchmark(OperationsPerInvoke = Ops)]
    public int DenyHit_Utf8() => Run(_hosts.Deny.Utf8);

    [Benchmark(OperationsPerInvoke = Ops)]
    public int MissUnknownTld_Utf8() => Run(_hosts.MissUnknownTld.Utf8);

    [Benchmark(OperationsPerInvoke = Ops)]
    public int MissKnownTld_Utf8() => Run(_hosts.MissKnownTld.Utf8);

    private int Run(byte[][] hosts)
    {
        PolicySnapshot snapshot = _snapshot;
        int allowed = 0;
        for (int i = 0; i < hosts.Length; i++)
        {
            allowed += (int)snapshot.Decide(hosts[i], HostSets.Port, KitSet.None).Verdict;
        }

        return allowed;
    }

    private int Run(string[] hosts)
    {
        PolicySnapshot snapshot = _snapshot;
        int allowed = 0;
        for (int i = 0; i < hosts.Length; i++)
        {
            allowed += (int)snapshot.Decide(hosts[i], HostSets.Port, KitSet.None).Verdict;
        }

        return allowed;
    }
}

using System.Diagnostics;
using System.Globalization;
using PolicyCompiler.Compilation;

namespace Benchmarks;

/// <summary>
/// <c>--compile-times [N ...]</c>: how long <see cref="SnapshotCompiler.Compile"/> takes for
/// N generated rules (default 100,000 and 1,000,000), best of three, with what it allocates.
/// Compilation runs once per policy change, off the data path, so a plain stopwatch will do.
/// </summary>
internal static class CompileTimes
{
    public static int Run(string[] args)
    {
        int[] counts = args.Length == 0 ? [100_000, 1_000_000] : [.. args.Select(a => int.Parse(a, CultureInfo.InvariantCulture))];
        foreach (int count in counts)
        {
            RuleGenerator rules = RuleGenerator.Generate(count);
            TimeSpan best = TimeSpan.MaxValue;
            long allocated = 0;
            int nodes = 0;
            for (int run = 0; run < 3; run++)
            {
                GC.Collect();
                long before = GC.GetTotalAllocatedBytes(precise: true);
                long start = Stopwatch.GetTimestamp();
                PolicySnapshot snapshot = SnapshotCompiler.Compile(rules.Rules);
                TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
                allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                nodes = snapshot.NodeCount;
                best = elapsed < best ? elapsed : best;
            }

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"compile {count,9:N0} rules: {best.TotalMilliseconds,8:F0} ms (best of 3), {allocated / (1024.0 * 1024.0),7:F1} MiB allocated, {nodes:N0} trie nodes"));
        }

        return 0;
    }
}

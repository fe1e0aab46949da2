using System.Diagnostics;
using System.Globalization;
using CsCheck;
using Xunit.Abstractions;

namespace Security.Tests.Fuzz;

/// <summary>
/// How many inputs each parser gets: <c>FUZZ_INPUTS</c> (tests/fuzz/run.sh sets 1,000,000), or
/// a short run that keeps ./test.sh bounded. Figures go to the test output and, when
/// <c>FUZZ_REPORT</c> names a file, one line per parser to it.
/// </summary>
internal static class FuzzBudget
{
    public const string Category = "Fuzz";

    private const long DefaultInputs = 15_000;

    /// <summary>The kit parser (YamlDotNet) runs about 50x slower than the byte readers; the short run gives it fewer inputs.</summary>
    public static int KitDivisor => Environment.GetEnvironmentVariable("FUZZ_INPUTS") is { Length: > 0 } ? 1 : 10;

    public static long Inputs =>
        long.TryParse(Environment.GetEnvironmentVariable("FUZZ_INPUTS"), NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0
            ? n
            : DefaultInputs;

    /// <summary>
    /// Runs <paramref name="check"/> on <see cref="Inputs"/> generated inputs, on one thread (so the
    /// allocation measurements inside are this call's alone), and reports the figures.
    /// </summary>
    /// <param name="threads">1 where the check measures allocation; parsers that allocate by design may use every core.</param>
    public static void Run<T>(string parser, Gen<T> gen, Action<T> check, ITestOutputHelper output, Func<T, string>? print = null, int threads = 1, int divisor = 1)
    {
        long inputs = Math.Max(1, Inputs / divisor);
        long ran = 0;
        var clock = Stopwatch.StartNew();
        gen.Sample(
            input =>
            {
                check(input);
                Interlocked.Increment(ref ran);
            },
            iter: inputs,
            threads: threads,
            print: print ?? (static t => t is byte[] bytes ? Convert.ToHexString(bytes) : t?.ToString() ?? "null"));
        clock.Stop();
        Assert.Equal(inputs, ran);
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"{parser}\t{ran}\tinputs\t{clock.Elapsed.TotalSeconds:0.0}\ts\t{ran / Math.Max(clock.Elapsed.TotalSeconds, 0.001):0}\tinputs/s\t0\tfailures");
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("FUZZ_REPORT") is { Length: > 0 } report)
        {
            File.AppendAllLines(report, [line]);
        }
    }

    /// <summary>
    /// Bytes this thread allocates running <paramref name="action"/>: the lesser of two runs, so a
    /// one-off cost of the runtime (a call-counting stub, a tier-up) is not blamed on the parser,
    /// while anything the parser itself allocates shows in both.
    /// </summary>
    public static long Allocated(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        long first = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return Math.Min(first, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

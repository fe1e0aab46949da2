using System.Diagnostics;
using System.Globalization;

namespace Benchmarks;

/// <summary>
/// <c>--leaf-cpu [N]</c>: the leaf benchmarks' operations timed in process CPU time as well as
/// wall time, N times each after a warm-up. On a shared machine the wall time of one operation
/// grows with everything else running; the CPU time it costs does not, so this is the figure
/// that says what the gateway itself spends per mint and per handshake.
/// </summary>
internal static class LeafCpuTimes
{
    public static int Run(string[] args)
    {
        int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        if (count == 0)
        {
            LeafHandshakeServerCpu.Run(seconds: 10);
            return 0;
        }

        var mint = new LeafMintBenchmarks();
        var handshake = new LeafHandshakeBenchmarks();
        mint.Setup();
        handshake.Setup();
        try
        {
            Console.WriteLine($"{"operation",-44} {"CPU/op",12} {"wall/op",12}  (N = {count}, load average {LoadAverage()})");
            Report("one P-256 signature (baseline)", count, () => mint.Baseline_Sign());
            Report("cold: GetContext, new host", count, () => mint.Cold_GetContext());
            Report("cold: issuer.Mint alone", count, () => mint.Cold_Mint());
            Report("keygen + mint", count, () => mint.KeyGenerationAndMint());
            Report("warm: GetContext, cached host", count * 100, () => mint.Warm_GetContext());
            Report("cached: full handshake (client + server)", count, () => handshake.Cached().GetAwaiter().GetResult());
            Report("cold: full handshake, new host (mint inside)", count, () => handshake.Cold().GetAwaiter().GetResult());
        }
        finally
        {
            handshake.Cleanup();
            mint.Cleanup();
        }

        LeafHandshakeServerCpu.Run(seconds: 10);

        return 0;
    }

    private static void Report(string name, int count, Action operation)
    {
        for (int i = 0; i < Math.Min(count, 200); i++)
        {
            operation();
        }

        using Process self = Process.GetCurrentProcess();
        self.Refresh();
        TimeSpan cpu0 = self.TotalProcessorTime;
        long wall0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            operation();
        }

        TimeSpan wall = Stopwatch.GetElapsedTime(wall0);
        self.Refresh();
        TimeSpan cpu = self.TotalProcessorTime - cpu0;
        Console.WriteLine($"{name,-44} {Format(cpu / count),12} {Format(wall / count),12}");
    }

    private static string Format(TimeSpan perOp) => perOp.TotalMicroseconds >= 1
        ? perOp.TotalMicroseconds.ToString("0.0", CultureInfo.InvariantCulture) + " µs"
        : (perOp.TotalMicroseconds * 1000).ToString("0", CultureInfo.InvariantCulture) + " ns";

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }
}

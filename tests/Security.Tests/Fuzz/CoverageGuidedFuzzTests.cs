using System.Globalization;
using Gateway.Tests.Listeners;
using Xunit.Abstractions;

namespace Security.Tests.Fuzz;

/// <summary>
/// The smoke run of the coverage-guided fuzzing (tests/fuzz/afl.sh runs it for long): afl-fuzz on
/// the SharpFuzz-instrumented parsers, a few seconds each from the committed seeds. It must start,
/// execute inputs, and save no crash; a crash fails the test with the input that caused it.
/// </summary>
[Trait("Category", FuzzBudget.Category)]
public sealed class CoverageGuidedFuzzTests(ITestOutputHelper output)
{
    private const int Seconds = 4;

    private static readonly Lazy<Task<string>> s_harness = new(InstrumentAsync);

    /// <summary>Where afl-fuzz is installed, or null.</summary>
    public static string? AflFuzz { get; } = File.Exists("/usr/bin/afl-fuzz") ? "/usr/bin/afl-fuzz" : File.Exists("/usr/local/bin/afl-fuzz") ? "/usr/local/bin/afl-fuzz" : null;

    public static TheoryData<string> Targets => new() { "connect-head", "client-hello", "http-peek", "dns-query", "socks5-replies", "absolute-form", "rule-pattern" };

    [AflFuzzTheory]
    [MemberData(nameof(Targets))]
    public async Task Parser_UnderAflFuzz_SavesNoCrash(string target)
    {
        string harness = await s_harness.Value.WaitAsync(TimeSpan.FromMinutes(2));
        string findings = Directory.CreateTempSubdirectory("gw-afl-" + target + "-").FullName;
        try
        {
            (int exit, string stdout, string stderr) = await ProcessRunner.RunAsync(AflFuzz!, [
                "-i", Path.Combine(RepoRoot, "tests", "fuzz", "corpus", target), "-o", findings, "-V", Seconds.ToString(CultureInfo.InvariantCulture),
                "-t", "5000", "-m", "none", "--", "dotnet", Path.Combine(harness, "Gateway.Fuzz.dll"), target], start =>
                {
                    // The target is a dotnet process, not an afl-instrumented binary; a shared machine has no core to pin.
                    foreach (string flag in (string[])["AFL_SKIP_BIN_CHECK", "AFL_NO_UI", "AFL_SKIP_CPUFREQ", "AFL_NO_AFFINITY", "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES"])
                    {
                        start.Environment[flag] = "1";
                    }
                });
            string statsFile = Path.Combine(findings, "default", "fuzzer_stats");
            Assert.True(File.Exists(statsFile), $"afl-fuzz did not start (exit {exit}):\n{Tail(stdout)}\n{Tail(stderr)}");
            Dictionary<string, string> stats = ReadStats(statsFile);
            output.WriteLine($"{target}: {stats["execs_done"]} execs in {stats["run_time"]} s, corpus {stats["corpus_count"]}, edges {stats["edges_found"]}, crashes {stats["saved_crashes"]}");

            string crashes = Path.Combine(findings, "default", "crashes");
            string[] saved = Directory.Exists(crashes) ? [.. Directory.GetFiles(crashes, "id:*")] : [];
            Assert.True(saved.Length == 0, $"{target}: afl-fuzz saved {saved.Length} crash(es); the first input, hex: {(saved.Length > 0 ? Convert.ToHexString(File.ReadAllBytes(saved[0])) : "")}");
            Assert.True(long.Parse(stats["execs_done"], CultureInfo.InvariantCulture) > 0, $"{target}: afl-fuzz executed nothing");
            Assert.True(long.Parse(stats["edges_found"], CultureInfo.InvariantCulture) > 1, $"{target}: no coverage: the parser assemblies are not instrumented");
        }
        finally
        {
            Directory.Delete(findings, recursive: true);
        }
    }

    private static string RepoRoot
    {
        get
        {
            DirectoryInfo? dir = new(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
        }
    }

    // A copy of the harness build (this project builds it, same configuration) with the gateway assemblies instrumented.
    private static async Task<string> InstrumentAsync()
    {
        string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        string built = Path.Combine(RepoRoot, "tests", "fuzz", "Gateway.Fuzz", "bin", configuration, "net10.0");
        Assert.True(File.Exists(Path.Combine(built, "Gateway.Fuzz.dll")), "the harness is not built: " + built);
        string copy = Path.Combine(Path.GetTempPath(), "gw-afl-harness-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(copy))
        {
            Directory.Delete(copy, recursive: true);
        }

        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(built))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        (int exit, _, string stderr) = await ProcessRunner.RunAsync("dotnet", [Path.Combine(copy, "Gateway.Fuzz.dll"), "--instrument", copy]);
        Assert.True(exit == 0, "instrumenting failed: " + Tail(stderr));
        return copy;
    }

    private static Dictionary<string, string> ReadStats(string path)
    {
        var stats = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(path))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                stats[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return stats;
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];
}

using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Environments;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace Benchmarks;

/// <summary>
/// The one configuration every benchmark runs under: MemoryDiagnoser (hot paths must show
/// "Allocated: -"), median next to mean, and a job picked on the command line:
/// <c>--quick</c> (3 warm-ups, 5 iterations), <c>--medium</c> (BenchmarkDotNet's MediumRun)
/// or, by default, the full default job.
/// </summary>
internal sealed class BenchConfig : ManualConfig
{
    public BenchConfig(JobLength length)
    {
        Add(DefaultConfig.Instance);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
        WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend));
        Job job = length switch
        {
            JobLength.Quick => Job.ShortRun.WithWarmupCount(3).WithIterationCount(5).WithLaunchCount(1).WithId("Quick"),
            JobLength.Medium => Job.MediumRun.WithId("Medium"),
            _ => Job.Default,
        };
        // BenchmarkDotNet builds a generated project next to ours; it inherits the repository's
        // Directory.Build.props (documentation file, warnings as errors) that its code cannot meet.
        AddJob(job.WithArguments([new MsBuildArgument("/p:GenerateDocumentationFile=false")]).AsDefault());
    }

    /// <summary>Removes <c>--quick</c>/<c>--medium</c> from <paramref name="args"/> and returns the job length they ask for.</summary>
    public static JobLength TakeJobSwitch(ref string[] args)
    {
        JobLength length = JobLength.Default;
        var rest = new List<string>(args.Length);
        foreach (string arg in args)
        {
            switch (arg)
            {
                case "--quick":
                    length = JobLength.Quick;
                    break;
                case "--medium":
                    length = JobLength.Medium;
                    break;
                default:
                    rest.Add(arg);
                    break;
            }
        }

        args = [.. rest];
        return length;
    }
}

internal enum JobLength
{
    Default,
    Quick,
    Medium,
}

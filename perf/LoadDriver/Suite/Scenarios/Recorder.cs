using System.Diagnostics;
using LoadDriver.Load;
using LoadDriver.Recording;
using LoadDriver.Suite.Results;

namespace LoadDriver.Suite.Scenarios;

/// <summary>
/// Runs one measured window and turns it into a <see cref="Measurement"/>: the subject's CPU
/// time is sampled from <c>/proc</c> when the warm-up ends and when the window ends, so CPU per
/// request counts the same requests the rate does.
/// </summary>
internal sealed class Recorder(SuiteContext context, SuiteResults results)
{
    public SuiteContext Context { get; } = context;

    public SuiteResults Results { get; } = results;

    public TimeSpan Warmup => Context.Options.Warmup;

    public TimeSpan Window => Context.Options.Window;

    /// <summary>Runs <paramref name="run"/> (which must warm up for <see cref="Warmup"/> and measure for <see cref="Window"/>) and records it.</summary>
    public async Task<Measurement> RequestsAsync(string scenario, string variant, Subject subject, int repetition, Func<Task<RunResult>> run, IReadOnlyDictionary<string, double>? extra = null)
    {
        (RunResult result, double cpu) = await RunWithCpuAsync(subject, run).ConfigureAwait(false);
        double seconds = result.Elapsed.TotalSeconds;
        var measurement = new Measurement
        {
            Scenario = scenario,
            Variant = variant,
            Subject = subject.Name,
            Repetition = repetition,
            Unit = "req/s",
            Value = seconds > 0 ? result.Ok / seconds : 0,
            CpuUsPerRequest = subject.IsDirect || result.Ok == 0 ? null : cpu * 1e6 / result.Ok,
            Latency = LatencySummary.From(result.Latency),
            Ok = result.Ok,
            Errors = result.ErrorCount,
            ErrorKinds = result.Errors.Count == 0 ? null : result.Errors,
            FirstError = result.FirstError,
            Extra = extra,
        };
        return Add(measurement);
    }

    /// <summary>Runs a bulk window and records MB/s and CPU-s per GB.</summary>
    public async Task<Measurement> BulkAsync(string scenario, string variant, Subject subject, int repetition, Func<Task<RunResult>> run)
    {
        (RunResult result, double cpu) = await RunWithCpuAsync(subject, run).ConfigureAwait(false);
        double gigabytes = result.Bytes / 1e9;
        var measurement = new Measurement
        {
            Scenario = scenario,
            Variant = variant,
            Subject = subject.Name,
            Repetition = repetition,
            Unit = "MB/s",
            Value = result.Bytes / 1e6 / result.Elapsed.TotalSeconds,
            CpuSecondsPerGB = subject.IsDirect || gigabytes == 0 ? null : cpu / gigabytes,
            Ok = result.Ok,
            Errors = result.ErrorCount,
            ErrorKinds = result.Errors.Count == 0 ? null : result.Errors,
            FirstError = result.FirstError,
        };
        return Add(measurement);
    }

    /// <summary>Records a measurement made elsewhere (S7).</summary>
    public Measurement Add(Measurement measurement)
    {
        Results.Measurements.Add(measurement);
        string cpu = measurement.CpuUsPerRequest is { } us ? $", {us:F1} CPU-µs/req" : measurement.CpuSecondsPerGB is { } s ? $", {s:F2} CPU-s/GB" : "";
        string errors = measurement.Errors > 0 ? $", {measurement.Errors} errors ({measurement.FirstError})" : "";
        SuiteContext.Say($"  {measurement.Scenario} {measurement.Variant} {measurement.Subject} #{measurement.Repetition}: {measurement.Value:F1} {measurement.Unit}{cpu}{errors}");
        return measurement;
    }

    public void NotRun(string scenario, string subject, string reason)
    {
        Results.NotRun.Add(new NotRun(scenario, subject, reason));
        SuiteContext.Say($"  {scenario} {subject}: not run: {reason}");
    }

    private async Task<(RunResult Result, double CpuSeconds)> RunWithCpuAsync(Subject subject, Func<Task<RunResult>> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        int pid = subject.Peer?.Process.Pid ?? 0;
        Task<double> cpu = pid == 0 ? Task.FromResult(0.0) : SampleCpuAsync(pid);
        RunResult result = await run().ConfigureAwait(false);
        return (result, await cpu.ConfigureAwait(false));
    }

    private async Task<double> SampleCpuAsync(int pid)
    {
        long start = Stopwatch.GetTimestamp();
        await Task.Delay(Warmup).ConfigureAwait(false);
        double before = ProcessTree.CpuSeconds(pid);
        TimeSpan left = Warmup + Window - Stopwatch.GetElapsedTime(start);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left).ConfigureAwait(false);
        }

        return ProcessTree.CpuSeconds(pid) - before;
    }
}

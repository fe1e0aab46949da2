using System.Diagnostics;

namespace LoadDriver.Load;

/// <summary>
/// Closed-loop (as fast as answers come back: maximum throughput) and open-loop (a fixed
/// arrival rate, latency from the intended send time) runs. Each run warms up first with the
/// same workers and connections; only requests started after the warm-up are counted. Every
/// loop ends at a deadline.
/// </summary>
internal static class LoadRunner
{
    /// <summary>How long an open-loop run may overrun its schedule before unsent requests count as errors.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs <paramref name="concurrency"/> workers back to back for <paramref name="warmup"/> then
    /// <paramref name="duration"/>: requests completed in the window count, errors of requests sent in it count.
    /// </summary>
    public static async Task<RunResult> ClosedLoopAsync(LoadSpec spec, int concurrency, TimeSpan warmup, TimeSpan duration)
    {
        var verifier = new ResponseVerifier(spec.BodySize, spec.ExpectHeader);
        long start = Stopwatch.GetTimestamp();
        long measureFrom = start + Ticks(warmup);
        long end = measureFrom + Ticks(duration);
        long next = -1;
        var workers = new RequestWorker[concurrency];
        var tasks = new Task[concurrency];
        for (int i = 0; i < concurrency; i++)
        {
            workers[i] = new RequestWorker(spec, verifier);
            tasks[i] = ClosedWorkerAsync(workers[i]);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return await MergeAsync(workers, Stopwatch.GetElapsedTime(measureFrom, end)).ConfigureAwait(false);

        async Task ClosedWorkerAsync(RequestWorker worker)
        {
            await Task.Yield();
            while (true)
            {
                long sent = Stopwatch.GetTimestamp();
                if (sent >= end)
                {
                    return;
                }

                // Counted by completion inside the window, so a subject slower than the window
                // still shows the requests it finished (started in the warm-up or not).
                bool ok = await worker.RunAsync(Interlocked.Increment(ref next), record: sent >= measureFrom).ConfigureAwait(false);
                long done = Stopwatch.GetTimestamp();
                if (ok && done >= measureFrom && done <= end)
                {
                    worker.Result.Ok++;
                    worker.Result.Latency.Record(Nanoseconds(done - sent));
                }
                else if (!ok)
                {
                    // A refused connection fails at once: don't spin on it.
                    await Task.Delay(1).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// Runs exactly <paramref name="total"/> requests (no warm-up: every one counts) over
    /// <paramref name="concurrency"/> workers back to back, stopping early only at
    /// <paramref name="deadline"/>; requests not started by then are left unsent, not counted.
    /// For runs whose every request must be accounted for elsewhere (the soak compares them with
    /// the gateway's audit events), so <see cref="RunResult.Ok"/> + errors = requests sent.
    /// </summary>
    public static async Task<RunResult> CountedAsync(LoadSpec spec, int concurrency, long total, TimeSpan deadline)
    {
        var verifier = new ResponseVerifier(spec.BodySize, spec.ExpectHeader);
        long start = Stopwatch.GetTimestamp();
        long end = start + Ticks(deadline);
        long next = -1;
        var workers = new RequestWorker[concurrency];
        var tasks = new Task[concurrency];
        for (int i = 0; i < concurrency; i++)
        {
            workers[i] = new RequestWorker(spec, verifier);
            tasks[i] = CountedWorkerAsync(workers[i]);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return await MergeAsync(workers, Stopwatch.GetElapsedTime(start)).ConfigureAwait(false);

        async Task CountedWorkerAsync(RequestWorker worker)
        {
            await Task.Yield();
            long index;
            while (Stopwatch.GetTimestamp() < end && (index = Interlocked.Increment(ref next)) < total)
            {
                long sent = Stopwatch.GetTimestamp();
                if (await worker.RunAsync(index, record: true).ConfigureAwait(false))
                {
                    worker.Result.Ok++;
                    worker.Result.Latency.Record(Nanoseconds(Stopwatch.GetTimestamp() - sent));
                }
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="ratePerSecond"/> requests a second for <paramref name="warmup"/> then
    /// <paramref name="duration"/>, spread over <paramref name="workers"/> workers (each owns every
    /// <c>workers</c>-th request; with long-lived tunnels, one worker per tunnel).
    /// </summary>
    public static async Task<RunResult> OpenLoopAsync(LoadSpec spec, double ratePerSecond, int workers, TimeSpan warmup, TimeSpan duration)
    {
        var verifier = new ResponseVerifier(spec.BodySize, spec.ExpectHeader);
        var all = new RequestWorker[workers];
        for (int i = 0; i < workers; i++)
        {
            all[i] = new RequestWorker(spec, verifier);
        }

        if (!spec.TunnelPerRequest)
        {
            // Long-lived tunnels exist before the clock starts, as they would in production.
            var opens = new Task[workers];
            for (int i = 0; i < workers; i++)
            {
                opens[i] = OpenQuietlyAsync(all[i], i);
            }

            await Task.WhenAll(opens).ConfigureAwait(false);
        }

        var schedule = new OpenLoopSchedule(Stopwatch.GetTimestamp(), ratePerSecond, warmup + duration, Stopwatch.Frequency);
        long measureFrom = schedule.Start + Ticks(warmup);
        long deadline = schedule.IntendedAt(schedule.Count) + Ticks(Grace);
        var tasks = new Task[workers];
        for (int i = 0; i < workers; i++)
        {
            tasks[i] = OpenWorkerAsync(all[i], i);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return await MergeAsync(all, TimeSpan.FromSeconds(Math.Floor(duration.TotalSeconds * ratePerSecond) / ratePerSecond)).ConfigureAwait(false);

        async Task OpenWorkerAsync(RequestWorker worker, int first)
        {
            await Task.Yield();
            for (long index = first; index < schedule.Count; index += workers)
            {
                long intended = schedule.IntendedAt(index);
                bool record = intended >= measureFrom;
                long now = Stopwatch.GetTimestamp();
                if (now >= deadline)
                {
                    if (record)
                    {
                        worker.Result.AddError("unsent", "the run overran its schedule by more than the grace period");
                    }

                    continue;
                }

                long ahead = intended - now;
                if (ahead > 0)
                {
                    await Task.Delay(TimeSpan.FromTicks(Math.Max(1, ahead * TimeSpan.TicksPerSecond / Stopwatch.Frequency))).ConfigureAwait(false);
                }

                bool ok = await worker.RunAsync(index, record).ConfigureAwait(false);
                if (ok && record)
                {
                    worker.Result.Ok++;
                    worker.Result.Latency.Record(Nanoseconds(Stopwatch.GetTimestamp() - intended));
                }
            }
        }
    }

    /// <summary>Timestamp ticks in <paramref name="span"/>.</summary>
    public static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Nanoseconds in <paramref name="ticks"/> timestamp ticks.</summary>
    public static long Nanoseconds(long ticks) => (long)(ticks * (1e9 / Stopwatch.Frequency));

    private static async Task OpenQuietlyAsync(RequestWorker worker, int index)
    {
        try
        {
            await worker.OpenAsync(index).ConfigureAwait(false);
        }
        catch (LoadException)
        {
            // The first request reopens it and counts the failure.
        }
        catch (OperationCanceledException)
        {
            // Same.
        }
    }

    private static async Task<RunResult> MergeAsync(RequestWorker[] workers, TimeSpan elapsed)
    {
        var result = new RunResult { Elapsed = elapsed };
        foreach (RequestWorker worker in workers)
        {
            result.Add(worker.Result);
            await worker.DisposeAsync().ConfigureAwait(false);
        }

        return result;
    }
}

using LoadDriver.Recording;

namespace LoadDriver.Load;

/// <summary>What one measured run produced: verified requests (or bytes), errors by kind, latency.</summary>
internal sealed class RunResult
{
    /// <summary>Verified requests completed in the measured window.</summary>
    public long Ok { get; set; }

    /// <summary>Failed requests by kind.</summary>
    public Dictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

    /// <summary>The first error message, for the report.</summary>
    public string? FirstError { get; set; }

    /// <summary>Length of the measured window.</summary>
    public TimeSpan Elapsed { get; set; }

    /// <summary>Payload bytes received in the window (bulk runs).</summary>
    public long Bytes { get; set; }

    /// <summary>Latency of verified requests, nanoseconds.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Failed requests, all kinds.</summary>
    public long ErrorCount
    {
        get
        {
            long total = 0;
            foreach (long count in Errors.Values)
            {
                total += count;
            }

            return total;
        }
    }

    /// <summary>Counts one failure.</summary>
    public void AddError(string kind, string message)
    {
        Errors[kind] = Errors.GetValueOrDefault(kind) + 1;
        FirstError ??= message;
    }

    /// <summary>Adds a worker's counts to this one.</summary>
    public void Add(RunResult worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        Ok += worker.Ok;
        Bytes += worker.Bytes;
        Latency.Add(worker.Latency);
        foreach ((string kind, long count) in worker.Errors)
        {
            Errors[kind] = Errors.GetValueOrDefault(kind) + count;
        }

        FirstError ??= worker.FirstError;
    }
}

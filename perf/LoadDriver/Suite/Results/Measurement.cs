using LoadDriver.Recording;

namespace LoadDriver.Suite.Results;

/// <summary>One measured window of one subject in one scenario: the raw figure the report aggregates.</summary>
internal sealed record Measurement
{
    public required string Scenario { get; init; }

    /// <summary>The scenario's variant ("1 stream", "warm 100 hosts", "1000 tunnels").</summary>
    public required string Variant { get; init; }

    /// <summary>direct, gateway, or a peer's name.</summary>
    public required string Subject { get; init; }

    public required int Repetition { get; init; }

    /// <summary>Unit of <see cref="Value"/> ("req/s", "MB/s", "KiB/tunnel").</summary>
    public required string Unit { get; init; }

    /// <summary>The headline figure; for rates and throughput higher is better, for memory lower is.</summary>
    public required double Value { get; init; }

    /// <summary>The subject's CPU time per verified request, µs (null for direct).</summary>
    public double? CpuUsPerRequest { get; init; }

    /// <summary>The subject's CPU time per GB relayed (bulk), seconds.</summary>
    public double? CpuSecondsPerGB { get; init; }

    public LatencySummary? Latency { get; init; }

    public long Ok { get; init; }

    public long Errors { get; init; }

    public IReadOnlyDictionary<string, long>? ErrorKinds { get; init; }

    public string? FirstError { get; init; }

    /// <summary>Further figures (S7 memory, S3 open-loop rate).</summary>
    public IReadOnlyDictionary<string, double>? Extra { get; init; }
}

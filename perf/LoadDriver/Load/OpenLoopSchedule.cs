namespace LoadDriver.Load;

/// <summary>
/// When each request of an open-loop run is meant to be sent: request <c>i</c> at
/// <c>start + i / rate</c>, whatever happened to the ones before it. Latency is measured from
/// this intended time, not from when the request actually left, so a proxy that stalls is
/// charged for every request it delayed (no coordinated omission).
/// </summary>
/// <remarks>
/// Worker <c>k</c> of <c>W</c> owns requests <c>k, k+W, k+2W …</c>: a slow response makes that
/// worker's next request late, and the lateness is part of that request's latency.
/// </remarks>
internal readonly record struct OpenLoopSchedule
{
    /// <summary>Creates a schedule of <paramref name="ratePerSecond"/> requests a second for <paramref name="duration"/>, starting at <paramref name="startTimestamp"/>.</summary>
    public OpenLoopSchedule(long startTimestamp, double ratePerSecond, TimeSpan duration, long timestampFrequency)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(timestampFrequency);
        Start = startTimestamp;
        TicksPerRequest = timestampFrequency / ratePerSecond;
        Count = (long)Math.Floor(duration.TotalSeconds * ratePerSecond);
    }

    /// <summary>Timestamp of request 0.</summary>
    public long Start { get; }

    /// <summary>Timestamp ticks between two consecutive intended sends.</summary>
    public double TicksPerRequest { get; }

    /// <summary>Requests in the run.</summary>
    public long Count { get; }

    /// <summary>The timestamp request <paramref name="index"/> is meant to be sent at.</summary>
    public long IntendedAt(long index) => Start + (long)Math.Round(index * TicksPerRequest);
}

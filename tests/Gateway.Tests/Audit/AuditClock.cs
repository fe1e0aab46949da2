namespace Gateway.Tests.Audit;

/// <summary>A clock that moves only when the test says, for the wall time and the timestamps alike.</summary>
internal sealed class AuditClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

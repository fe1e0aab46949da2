namespace Gateway.Audit;

/// <summary>Runtime knobs of <see cref="AuditWriter"/>; the defaults are what the daemon uses.</summary>
internal sealed record AuditWriterOptions
{
    /// <summary>Events queued between the data path and the writer task.</summary>
    public int Capacity { get; init; } = 65_536;

    /// <summary>How long <see cref="AuditWriter.WriteAsync"/> waits on a full queue before it drops and counts the event.</summary>
    public TimeSpan FullWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest time written events stay in the writer's buffer while the queue never empties.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Events buffered per <c>--follow</c> watcher; a watcher that falls further behind loses events.</summary>
    public int WatcherCapacity { get; init; } = 4_096;

    /// <summary>
    /// Longest time a sandbox's suppressed refusals wait before their summary line is written
    /// (<see cref="AuditRefusalLimiter"/>): one summary per sandbox per interval at most.
    /// </summary>
    public TimeSpan SummaryInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Opens the live file for appending. Tests inject slow or failing streams here; null
    /// opens a <see cref="FileStream"/> (mode 0640 when created).
    /// </summary>
    public Func<string, Stream>? OpenFile { get; init; }
}

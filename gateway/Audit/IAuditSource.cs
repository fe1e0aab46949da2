namespace Gateway.Audit;

/// <summary>
/// Where <c>policy log</c> reads from: the daemon's in-memory view (<see cref="AuditWriter"/>,
/// served over the admin socket) or, with no daemon, the audit files (<see cref="AuditFileSource"/>).
/// </summary>
internal interface IAuditSource
{
    /// <summary>The aggregated rows, most recently seen first.</summary>
    ValueTask<IReadOnlyList<AuditLogRow>> ReadAggregateAsync(CancellationToken cancellation);

    /// <summary>Events decided from now on, until <paramref name="cancellation"/> fires.</summary>
    IAsyncEnumerable<AuditEvent> FollowAsync(CancellationToken cancellation);
}

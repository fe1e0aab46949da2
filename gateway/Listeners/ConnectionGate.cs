namespace Gateway.Listeners;

/// <summary>
/// Counts open client connections against <c>limits.maxConnections</c>. Over the limit a
/// client gets a 503 rather than a silent close, so it knows to back off.
/// </summary>
internal sealed class ConnectionGate(int limit)
{
    private int _open;

    public int Open => Volatile.Read(ref _open);

    /// <summary><c>limits.maxConnections</c>.</summary>
    public int Limit => limit;

    /// <summary>Every slot is taken: a new connection would be refused.</summary>
    public bool IsFull => Volatile.Read(ref _open) >= limit;

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _open) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _open);
}

using System.Threading.Channels;

namespace Gateway.Audit;

/// <summary>
/// One <c>--follow</c> watcher of an <see cref="AuditWriter"/>: a bounded buffer the writer task
/// fills without ever waiting. A watcher that falls behind loses events (counted in
/// <see cref="Dropped"/>); the data path and the file never slow down for it.
/// </summary>
internal sealed class AuditSubscription : IDisposable
{
    private readonly Channel<AuditEvent> _events;
    private readonly Action<AuditSubscription> _unsubscribe;
    private long _dropped;

    internal AuditSubscription(int capacity, Action<AuditSubscription> unsubscribe)
    {
        _events = Channel.CreateBounded<AuditEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of blocking: counted below
            SingleReader = true,
            SingleWriter = true,
        });
        _unsubscribe = unsubscribe;
    }

    /// <summary>The events, in decision order; completes when the writer stops.</summary>
    public ChannelReader<AuditEvent> Events => _events.Reader;

    /// <summary>Events this watcher missed because it read too slowly.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Stops watching.</summary>
    public void Dispose()
    {
        _unsubscribe(this);
        _events.Writer.TryComplete();
    }

    internal void Offer(in AuditEvent e)
    {
        if (!_events.Writer.TryWrite(e))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    internal void Complete() => _events.Writer.TryComplete();
}

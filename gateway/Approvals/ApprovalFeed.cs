using System.Threading.Channels;

namespace Gateway.Approvals;

/// <summary>
/// New pending approvals as they are created, for <c>policy log --follow</c>. A pending approval is
/// not an audit event (the request it holds gets exactly one, when the hold ends: every outcome is
/// one event), so the operator watching the tail learns of it from this feed instead. Each watcher
/// has a bounded queue that drops its oldest notice when full: a stalled watcher costs bounded
/// memory and never holds up a decision.
/// </summary>
internal sealed class ApprovalFeed
{
    private const int WatcherCapacity = 256;

    private readonly Lock _lock = new();
    private Channel<ApprovalNotice>[] _watchers = [];

    /// <summary>Hands <paramref name="notice"/> to every watcher; never waits.</summary>
    public void Publish(ApprovalNotice notice)
    {
        foreach (Channel<ApprovalNotice> watcher in Volatile.Read(ref _watchers))
        {
            watcher.Writer.TryWrite(notice);
        }
    }

    /// <summary>Starts watching: notices published from now on, until the watch is disposed.</summary>
    public Watch Subscribe()
    {
        Channel<ApprovalNotice> channel = Channel.CreateBounded<ApprovalNotice>(
            new BoundedChannelOptions(WatcherCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_lock)
        {
            _watchers = [.. _watchers, channel];
        }

        return new Watch(this, channel);
    }

    private void Unsubscribe(Channel<ApprovalNotice> channel)
    {
        lock (_lock)
        {
            _watchers = Array.FindAll(_watchers, w => w != channel);
        }
    }

    /// <summary>One watcher's notices.</summary>
    internal sealed class Watch(ApprovalFeed feed, Channel<ApprovalNotice> channel) : IDisposable
    {
        /// <summary>The notices published since <see cref="Subscribe"/>.</summary>
        public ChannelReader<ApprovalNotice> Reader => channel.Reader;

        public void Dispose() => feed.Unsubscribe(channel);
    }
}

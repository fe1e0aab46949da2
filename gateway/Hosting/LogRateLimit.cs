using System.Diagnostics;

namespace Gateway.Hosting;

/// <summary>
/// A token bucket for log lines: <see cref="Burst"/> at once, then <see cref="PerSecond"/>. Log lines
/// a client can cause once per connection (a malformed head, a reset mid-body, Kestrel's HTTP/2
/// "output operations maximum queue size", a TLS read that fails) would otherwise let one sandbox
/// write the log as fast as it opens connections: 3,000 one-byte-then-reset connections wrote 2 MB.
/// Over budget a line is dropped and counted in <see cref="Suppressed"/>; start-up, reload and
/// shutdown lines are few and always fit. Lock-free: called from every logging thread.
/// </summary>
internal sealed class LogRateLimit(int perSecond, int burst)
{
    private long _tokensMilli = (long)burst * 1000;
    private long _last = Stopwatch.GetTimestamp();
    private long _suppressed;

    /// <summary>Lines the bucket lets through per second, once the burst is spent.</summary>
    public int PerSecond => perSecond;

    /// <summary>Lines let through at once after a quiet period.</summary>
    public int Burst => burst;

    /// <summary>Lines dropped so far.</summary>
    public long Suppressed => Interlocked.Read(ref _suppressed);

    /// <summary>Takes one line's token; false (and counted) when the budget is spent.</summary>
    public bool TryTake()
    {
        Refill();
        while (true)
        {
            long tokens = Interlocked.Read(ref _tokensMilli);
            if (tokens < 1000)
            {
                Interlocked.Increment(ref _suppressed);
                return false;
            }

            if (Interlocked.CompareExchange(ref _tokensMilli, tokens - 1000, tokens) == tokens)
            {
                return true;
            }
        }
    }

    // Adds perSecond tokens per elapsed second (in thousandths, so short intervals are not lost).
    private void Refill()
    {
        long now = Stopwatch.GetTimestamp();
        long last = Interlocked.Read(ref _last);
        long elapsedMilli = (now - last) * 1000 / Stopwatch.Frequency;
        if (elapsedMilli <= 0 || Interlocked.CompareExchange(ref _last, now, last) != last)
        {
            return;
        }

        long max = (long)burst * 1000;
        long add = elapsedMilli * perSecond;
        while (true)
        {
            long tokens = Interlocked.Read(ref _tokensMilli);
            long next = Math.Min(max, tokens + add);
            if (Interlocked.CompareExchange(ref _tokensMilli, next, tokens) == tokens)
            {
                return;
            }
        }
    }
}

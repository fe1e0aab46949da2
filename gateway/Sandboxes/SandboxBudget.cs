using System.Diagnostics;
using System.Threading.RateLimiting;
using PolicyCompiler.Budgets;

namespace Gateway.Sandboxes;

/// <summary>
/// The limiters of one sandbox's budgets, created once and reused by every connection and request
/// of that sandbox until a reload changes its limits (invariant 9). Connections hold a
/// <see cref="ConcurrencyLimiter"/> lease while open; the per-second budgets are token buckets
/// (a burst of one second's worth, refilled continuously at the rate); uploaded bytes are a fixed
/// one-hour window counted in KiB (the limiters count permits in an <see cref="int"/>). Nothing
/// queues: a budget that is used up refuses at once. The buckets and the window are replenished
/// by the caller just before each acquisition rather than by a timer each, so a sandbox costs no
/// timer callback while idle and a set left behind by a reload or an unregistered sandbox holds
/// no timer. A successful acquisition returns the limiter's cached lease, so a request's check
/// allocates nothing.
/// </summary>
internal sealed class SandboxBudget : IDisposable
{
    private const int KiB = 1024;

    // How often a limiter is replenished at most: a bucket every millisecond (it adds rate × elapsed
    // time, so nothing is lost by skipping), the hour-long window every second. Each replenishment
    // takes the limiter's lock; skipping keeps the common check to one lock per limiter.
    private static readonly long s_bucketInterval = Stopwatch.Frequency / 1000;
    private static readonly long s_windowInterval = Stopwatch.Frequency;

    private readonly ConcurrencyLimiter? _connections;
    private readonly TokenBucketRateLimiter? _connectionRate;
    private readonly TokenBucketRateLimiter? _requestRate;
    private readonly FixedWindowRateLimiter? _upload;
    private readonly int _uploadKiB;
    private long _connectionRateDue;
    private long _requestRateDue;
    private long _uploadDue;

    /// <summary>Limiters for <paramref name="limits"/>; a budget left unset has none.</summary>
    public SandboxBudget(BudgetLimits limits)
    {
        Limits = limits;
        if (limits.Connections is { } connections)
        {
            _connections = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = connections, QueueLimit = 0 });
        }

        _connectionRate = PerSecond(limits.ConnectionsPerSecond);
        _requestRate = PerSecond(limits.RequestsPerSecond);
        if (limits.UploadBytesPerHour is { } bytes)
        {
            _uploadKiB = (int)Math.Min(int.MaxValue, (bytes + KiB - 1) / KiB);
            _upload = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
            {
                PermitLimit = _uploadKiB,
                Window = TimeSpan.FromHours(1),
                QueueLimit = 0,
                AutoReplenishment = false,
            });
        }
    }

    /// <summary>The limits these limiters enforce.</summary>
    public BudgetLimits Limits { get; }

    /// <summary>True when request bodies are metered (an upload budget is set).</summary>
    public bool MetersUploads => _upload is not null;

    /// <summary>
    /// Opens a connection against the connection budgets. Within them, <paramref name="lease"/> is
    /// the connection's slot (null without a connection budget) and must be disposed when the
    /// connection ends, however it ends; otherwise the budget that refused it.
    /// </summary>
    public BudgetKind TryOpenConnection(out RateLimitLease? lease)
    {
        lease = null;
        try
        {
            if (_connections is not null)
            {
                lease = _connections.AttemptAcquire();
                if (!lease.IsAcquired)
                {
                    lease.Dispose();
                    lease = null;
                    return BudgetKind.Connections;
                }
            }

            if (_connectionRate is not null && !Acquire(_connectionRate, ref _connectionRateDue))
            {
                lease?.Dispose();
                lease = null;
                return BudgetKind.ConnectionsPerSecond;
            }

            return BudgetKind.None;
        }
        catch (ObjectDisposedException)
        {
            // Replaced by a reload between lookup and use: the next connection meets the new limiters.
            lease?.Dispose();
            lease = null;
            return BudgetKind.None;
        }
    }

    /// <summary>
    /// Admits one request against the request budgets: one token of requestsPerSecond, and, when
    /// the body's length is declared, its bytes of uploadBytesPerHour up front (so an upload that
    /// would not fit is refused before a byte of it leaves). A body of unknown length is charged as
    /// it is read (<see cref="TryChargeUpload"/>); here it only needs the window not to be used up.
    /// </summary>
    public BudgetKind TryAdmitRequest(long? contentLength)
    {
        try
        {
            if (_requestRate is not null && !Acquire(_requestRate, ref _requestRateDue))
            {
                return BudgetKind.RequestsPerSecond;
            }

            if (_upload is not null)
            {
                long kib = contentLength is { } length ? (length + KiB - 1) / KiB : 0;
                Replenish(_upload, ref _uploadDue, s_windowInterval);
                if (kib > _uploadKiB || !_upload.AttemptAcquire((int)kib).IsAcquired)
                {
                    return BudgetKind.UploadBytesPerHour;
                }
            }

            return BudgetKind.None;
        }
        catch (ObjectDisposedException)
        {
            return BudgetKind.None;
        }
    }

    /// <summary>Charges <paramref name="kib"/> KiB of a body being read to the upload window; false when it does not fit.</summary>
    public bool TryChargeUpload(int kib)
    {
        if (_upload is null || kib <= 0)
        {
            return true;
        }

        try
        {
            Replenish(_upload, ref _uploadDue, s_windowInterval);
            if (kib <= _uploadKiB && _upload.AttemptAcquire(kib).IsAcquired)
            {
                return true;
            }

            // The body is cut here, and what it sent already counts: the rest of the window is
            // used up, so the sandbox's next upload is refused up front rather than cut again.
            long left = _upload.GetStatistics()?.CurrentAvailablePermits ?? 0;
            if (left > 0)
            {
                _upload.AttemptAcquire((int)left).Dispose();
            }

            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    /// <summary>Retires the limiters (a reload replaced them). Open connections' leases stay valid to dispose.</summary>
    public void Dispose()
    {
        _connections?.Dispose();
        _connectionRate?.Dispose();
        _requestRate?.Dispose();
        _upload?.Dispose();
    }

    private static TokenBucketRateLimiter? PerSecond(int? rate) => rate is { } perSecond
        ? new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = false,
        })
        : null;

    // Without auto-replenishment a token bucket adds rate × elapsed time on TryReplenish: a
    // continuous refill, with no timer behind it.
    private static bool Acquire(TokenBucketRateLimiter bucket, ref long due)
    {
        Replenish(bucket, ref due, s_bucketInterval);
        return bucket.AttemptAcquire().IsAcquired;
    }

    // Two threads may both replenish when one is due: harmless, the limiter locks and adds by elapsed time.
    private static void Replenish(ReplenishingRateLimiter limiter, ref long due, long interval)
    {
        long now = Stopwatch.GetTimestamp();
        if (now >= Volatile.Read(ref due))
        {
            Volatile.Write(ref due, now + interval);
            limiter.TryReplenish();
        }
    }
}

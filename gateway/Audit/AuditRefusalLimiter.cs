namespace Gateway.Audit;

/// <summary>
/// A token bucket per sandbox over the events a sandbox produces for next to nothing: refusals
/// (a 403 costs the sandbox one request line) and DNS queries (one UDP datagram). Past its burst a
/// sandbox writes at most <c>audit.refusalsPerSecond</c> of them; the others are counted into one
/// summary line per sandbox ("N similar events suppressed", <see cref="SummaryRule"/>) written at
/// most once per summary interval, and into <see cref="Suppressed"/>
/// (<c>gateway_audit_suppressed_total</c>, which an alert watches). Without it one sandbox's flood
/// (~40k DNS queries/s, ~12 MB/s of audit lines) rotated every other sandbox's events off the disk
/// in under two minutes. Owned by the audit writer task: not thread-safe, allocation-free per event.
/// </summary>
internal sealed class AuditRefusalLimiter
{
    /// <summary>The rule and rule id of a summary line.</summary>
    public const string SummaryRule = "audit-rate-limit";

    /// <summary>The host of a summary line: it stands for many hosts.</summary>
    public const string SummaryHost = "*";

    private readonly Dictionary<string, SandboxBucket> _sandboxes = new(StringComparer.Ordinal);
    private readonly double _tokensPerTick;
    private readonly double _burst;
    private readonly long _summaryTicks;
    private long _suppressed;
    private int _pending;

    /// <summary>Creates the limiter; <paramref name="ticksPerSecond"/> is the clock's timestamp frequency.</summary>
    public AuditRefusalLimiter(int perSecond, int burst, TimeSpan summaryInterval, long ticksPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _tokensPerTick = perSecond / (double)ticksPerSecond;
        _burst = burst;
        _summaryTicks = (long)(summaryInterval.TotalSeconds * ticksPerSecond);
    }

    /// <summary>Events kept out of the file since start (each is in a summary line, or will be).</summary>
    public long Suppressed => Interlocked.Read(ref _suppressed);

    /// <summary>True while some sandbox has suppressed events not yet in a summary line.</summary>
    public bool HasPending => _pending > 0;

    /// <summary>Whether <paramref name="e"/> is the kind of event the bucket applies to.</summary>
    public static bool IsLimited(in AuditEvent e) =>
        e.IsBlocked || string.Equals(e.Proxy, AuditEvent.DnsProxy, StringComparison.Ordinal);

    /// <summary>
    /// True when <paramref name="e"/> goes to the file; false when it was counted into its
    /// sandbox's summary instead. When it goes and its sandbox's summary is due,
    /// <paramref name="summary"/> is that summary (write it first) and the method returns true
    /// with <paramref name="hasSummary"/> set.
    /// </summary>
    public bool Admit(in AuditEvent e, long now, out AuditEvent summary, out bool hasSummary)
    {
        summary = default;
        hasSummary = false;
        if (!IsLimited(in e))
        {
            return true;
        }

        if (!_sandboxes.TryGetValue(e.Sandbox, out SandboxBucket? bucket))
        {
            bucket = new SandboxBucket { Tokens = _burst, Refilled = now };
            _sandboxes.Add(e.Sandbox, bucket);
        }

        Refill(bucket, now);
        if (bucket.Tokens < 1)
        {
            Suppress(bucket, in e, now);
            return false;
        }

        bucket.Tokens -= 1;
        if (bucket.Pending > 0 && now - bucket.WindowStart >= _summaryTicks)
        {
            summary = TakeSummary(e.Sandbox, bucket);
            hasSummary = true;
        }

        return true;
    }

    /// <summary>
    /// Adds to <paramref name="into"/> the summaries that are due (<paramref name="all"/>: every
    /// pending one, as on shutdown), and forgets sandboxes whose bucket is full again.
    /// </summary>
    public void Sweep(long now, bool all, List<AuditEvent> into)
    {
        foreach ((string sandbox, SandboxBucket bucket) in _sandboxes)
        {
            if (bucket.Pending > 0 && (all || now - bucket.WindowStart >= _summaryTicks))
            {
                into.Add(TakeSummary(sandbox, bucket));
            }

            Refill(bucket, now);
            if (bucket.Pending == 0 && bucket.Tokens >= _burst)
            {
                _sandboxes.Remove(sandbox); // allowed while enumerating a Dictionary
            }
        }
    }

    private void Refill(SandboxBucket bucket, long now)
    {
        if (now > bucket.Refilled)
        {
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + ((now - bucket.Refilled) * _tokensPerTick));
            bucket.Refilled = now;
        }
    }

    private void Suppress(SandboxBucket bucket, in AuditEvent e, long now)
    {
        Interlocked.Increment(ref _suppressed);
        if (bucket.Pending++ == 0)
        {
            _pending++;
            bucket.WindowStart = now;
            bucket.First = e.Time;
            bucket.Proxy = e.Proxy;
            bucket.Decision = e.Decision;
        }
        else
        {
            // A summary names one proxy and one decision only when every event it stands for had them.
            if (!string.Equals(bucket.Proxy, e.Proxy, StringComparison.Ordinal))
            {
                bucket.Proxy = SummaryHost;
            }

            if (!string.Equals(bucket.Decision, e.Decision, StringComparison.Ordinal))
            {
                bucket.Decision = AuditEvent.Blocked;
            }
        }

        bucket.Last = e.Time;
    }

    private AuditEvent TakeSummary(string sandbox, SandboxBucket bucket)
    {
        var summary = new AuditEvent
        {
            Time = bucket.Last,
            Sandbox = sandbox,
            Host = SummaryHost,
            Port = 0,
            Proxy = bucket.Proxy,
            Rule = SummaryRule,
            RuleId = SummaryRule,
            Decision = bucket.Decision,
            DurationMs = (long)(bucket.Last - bucket.First).TotalMilliseconds,
            Suppressed = bucket.Pending,
        };
        bucket.Pending = 0;
        _pending--;
        return summary;
    }

    private sealed class SandboxBucket
    {
        public double Tokens;
        public long Refilled;
        public long Pending;
        public long WindowStart;
        public DateTimeOffset First;
        public DateTimeOffset Last;
        public string Proxy = string.Empty;
        public string Decision = AuditEvent.Blocked;
    }
}

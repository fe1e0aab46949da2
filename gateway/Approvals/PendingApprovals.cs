using System.Security.Cryptography;

namespace Gateway.Approvals;

/// <summary>
/// The pending approvals of ask mode: de-duplicated per (sandbox, host, port), at most
/// <c>maxPendingPerSandbox</c> per sandbox, each ending by itself after <c>holdFor</c>. A flood of
/// unknown hosts from one sandbox is refused once its quota is taken, so memory stays bounded
/// whatever it sends; the connections that join an existing approval hold no entry of their own,
/// and at most <see cref="MaxWaiters"/> connections wait on one approval: a held connection keeps
/// its <c>limits.maxConnections</c> slot, so without that bound one sandbox repeating one unknown
/// host could park every slot of the gateway for <c>holdFor</c> and starve the other sandboxes.
/// Only requests no rule matched reach this (never the hot path of allowed traffic), so one lock suffices.
/// </summary>
internal sealed class PendingApprovals : IDisposable
{
    // Ids are typed by an operator: lower-case letters and digits without look-alikes (no 0/o, 1/l).
    private const string IdAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    private const int IdLength = 8;

    /// <summary>Connections that may wait on one pending approval (an agent's retries and parallel fetches); past it, refused at once.</summary>
    public const int MaxWaiters = 4;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, PendingApproval> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Sandbox, string Host, int Port), PendingApproval> _byKey = new();
    private readonly Dictionary<string, int> _perSandbox = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _holdFor;
    private readonly int _maxPerSandbox;
    private readonly Action<int>? _countChanged;

    /// <param name="time">Clock and timers (a fake one in tests).</param>
    /// <param name="holdFor">How long a pending approval waits.</param>
    /// <param name="maxPerSandbox">Pending approvals one sandbox may have at once.</param>
    /// <param name="countChanged">Told the new total after every change (the <c>gateway_approvals_pending</c> gauge).</param>
    public PendingApprovals(TimeProvider time, TimeSpan holdFor, int maxPerSandbox, Action<int>? countChanged = null)
    {
        _time = time;
        _holdFor = holdFor;
        _maxPerSandbox = maxPerSandbox;
        _countChanged = countChanged;
    }

    /// <summary>How long a pending approval waits.</summary>
    public TimeSpan HoldFor => _holdFor;

    /// <summary>The most pending approvals one sandbox may have.</summary>
    public int MaxPerSandbox => _maxPerSandbox;

    /// <summary>Pending approvals now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>
    /// Holds a request: joins the pending approval of the same (sandbox, host, port), or creates one
    /// unless the sandbox's quota is taken. <paramref name="pending"/> is null only for <see cref="HoldStatus.Full"/>.
    /// </summary>
    public HoldStatus TryHold(string sandbox, string host, int port, string proxy, string listener, out PendingApproval? pending)
    {
        int count;
        lock (_lock)
        {
            if (_byKey.TryGetValue((sandbox, host, port), out pending))
            {
                if (pending.Waiters >= MaxWaiters)
                {
                    pending = null;
                    return HoldStatus.Full;
                }

                pending.Waiters++;
                return HoldStatus.Joined;
            }

            _perSandbox.TryGetValue(sandbox, out int held);
            if (held >= _maxPerSandbox)
            {
                pending = null;
                return HoldStatus.Full;
            }

            DateTimeOffset now = _time.GetUtcNow();
            string id = NewId();
            while (_byId.ContainsKey(id))
            {
                id = NewId();
            }

            pending = new PendingApproval(id, sandbox, host, port, proxy, listener, now, now + _holdFor) { Waiters = 1 };
            _byId.Add(pending.Id, pending);
            _byKey.Add((sandbox, host, port), pending);
            _perSandbox[sandbox] = held + 1;
            pending.Timer = _time.CreateTimer(static state => ((Expiry)state!).Fire(), new Expiry(this, pending.Id), _holdFor, Timeout.InfiniteTimeSpan);
            count = _byId.Count;
        }

        _countChanged?.Invoke(count);
        return HoldStatus.Created;
    }

    /// <summary>A connection that held on <paramref name="pending"/> stopped waiting (answered, timed out, or gone).</summary>
    public void Leave(PendingApproval pending)
    {
        lock (_lock)
        {
            pending.Waiters--;
        }
    }

    /// <summary>The pending approval <paramref name="id"/>, or null (unknown, or already answered or expired).</summary>
    public PendingApproval? Find(string id)
    {
        lock (_lock)
        {
            return _byId.GetValueOrDefault(id);
        }
    }

    /// <summary>Every pending approval, oldest first.</summary>
    public List<PendingApproval> List()
    {
        var list = new List<PendingApproval>();
        lock (_lock)
        {
            list.AddRange(_byId.Values);
        }

        list.Sort(static (a, b) => a.Since.CompareTo(b.Since));
        return list;
    }

    /// <summary>
    /// Ends the wait of <paramref name="id"/> with <paramref name="outcome"/>: removed, and every
    /// connection waiting on it resumes. Null when it is no longer pending.
    /// </summary>
    public PendingApproval? Resolve(string id, ApprovalOutcome outcome)
    {
        PendingApproval? pending;
        int count;
        lock (_lock)
        {
            if (!_byId.Remove(id, out pending))
            {
                return null;
            }

            _byKey.Remove((pending.Sandbox, pending.Host, pending.Port));
            int left = _perSandbox[pending.Sandbox] - 1;
            if (left == 0)
            {
                _perSandbox.Remove(pending.Sandbox); // a sandbox that stopped asking leaves no entry behind
            }
            else
            {
                _perSandbox[pending.Sandbox] = left;
            }

            count = _byId.Count;
        }

        pending.Timer?.Dispose();
        pending.TryComplete(outcome);
        _countChanged?.Invoke(count);
        return pending;
    }

    /// <summary>Ends every wait as timed out (the daemon stops): no connection stays parked on a dead approval.</summary>
    public void Dispose()
    {
        foreach (PendingApproval pending in List())
        {
            Resolve(pending.Id, ApprovalOutcome.TimedOut);
        }
    }

    private static string NewId() => RandomNumberGenerator.GetString(IdAlphabet, IdLength);

    private sealed class Expiry(PendingApprovals owner, string id)
    {
        public void Fire() => owner.Resolve(id, ApprovalOutcome.TimedOut);
    }
}

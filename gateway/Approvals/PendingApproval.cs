namespace Gateway.Approvals;

/// <summary>
/// One request (or several alike: same sandbox, host and port) waiting for an operator's answer.
/// Every waiting connection awaits <see cref="Outcome"/>; it completes once, on approve, reject or
/// at <see cref="Expires"/>, and continuations run on the thread pool, never on the admin request's thread.
/// </summary>
internal sealed class PendingApproval
{
    private readonly TaskCompletionSource<ApprovalOutcome> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PendingApproval(string id, string sandbox, string host, int port, string proxy, string listener, DateTimeOffset since, DateTimeOffset expires)
    {
        Id = id;
        Sandbox = sandbox;
        Host = host;
        Port = port;
        Proxy = proxy;
        Listener = listener;
        Since = since;
        Expires = expires;
    }

    /// <summary>Connections waiting on it now; guarded by the lock of <see cref="PendingApprovals"/>.</summary>
    internal int Waiters { get; set; }

    /// <summary>The id <c>policy approve</c> and <c>policy reject</c> take.</summary>
    public string Id { get; }

    /// <summary>The sandbox that asked.</summary>
    public string Sandbox { get; }

    /// <summary>The canonical host asked for.</summary>
    public string Host { get; }

    /// <summary>The destination port.</summary>
    public int Port { get; }

    /// <summary>The audit <c>proxy</c> of the first request: forward or transparent.</summary>
    public string Proxy { get; }

    /// <summary>The listener of the first request.</summary>
    public string Listener { get; }

    /// <summary>When the first request began to wait.</summary>
    public DateTimeOffset Since { get; }

    /// <summary>When it stops waiting (<see cref="Since"/> + <c>policy.ask.holdFor</c>).</summary>
    public DateTimeOffset Expires { get; }

    /// <summary>How the wait ended; completes exactly once.</summary>
    public Task<ApprovalOutcome> Outcome => _completion.Task;

    /// <summary>The timer that ends the wait at <see cref="Expires"/>; disposed when it ends otherwise.</summary>
    internal ITimer? Timer { get; set; }

    internal bool TryComplete(ApprovalOutcome outcome) => _completion.TrySetResult(outcome);
}

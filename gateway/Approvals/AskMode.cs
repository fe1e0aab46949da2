using Gateway.Configuration;
using Gateway.Decisions;
using Gateway.Listeners;
using Gateway.Metrics;
using Gateway.Policy;
using Gateway.Sandboxes;
using Microsoft.Extensions.Logging;
using PolicyCompiler.Compilation;

namespace Gateway.Approvals;

/// <summary>
/// Ask mode (<c>policy.ask</c>, DESIGN.md "Policy semantics"). The decision stays synchronous in
/// <see cref="EgressDecider"/>; an entry point whose verdict is "no rule matched" asks
/// <see cref="ShouldHold"/>, and if so waits in <see cref="WaitAsync"/> until an operator answers,
/// <c>holdFor</c> passes, or the client leaves. An approval adds the rule and reloads the policy
/// before it releases the waiters, so the entry point's second decision sees it. A deny rule is
/// never turned into a question: only <see cref="DecisionReason.NoMatchingRule"/> is held.
/// </summary>
internal sealed partial class AskMode : IDisposable
{
    private readonly AskConfig _config;
    private readonly PolicyEditor _editor;
    private readonly TimeProvider _time;
    private readonly ApprovalWebhook _webhook;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<AskMode> _logger;

    public AskMode(
        GatewayConfig config, LivePolicy policy, SandboxRegistry sandboxes, GatewayMetrics metrics, TimeProvider time, ApprovalWebhook webhook, ILogger<AskMode> logger)
    {
        _config = config.Policy.Ask;
        _editor = new PolicyEditor(policy, sandboxes);
        _time = time;
        _webhook = webhook;
        _metrics = metrics;
        _logger = logger;
        Pending = new PendingApprovals(time, _config.HoldFor, _config.MaxPendingPerSandbox, metrics.SetApprovalsPending);
    }

    /// <summary>The pending approvals.</summary>
    public PendingApprovals Pending { get; }

    /// <summary>New pending approvals, for <c>policy log --follow</c>.</summary>
    public ApprovalFeed Feed { get; } = new();

    /// <summary>True when ask mode is on.</summary>
    public bool Enabled => _config.Enabled;

    /// <summary>True when <paramref name="verdict"/> is a refusal ask mode turns into a question: nothing matched, for a known sandbox.</summary>
    public bool ShouldHold(in EgressVerdict verdict) =>
        verdict.Reason == EgressReason.NoMatch && Holds(verdict.Listener, verdict.Decision, verdict.LetsThrough, verdict.Port);

    /// <summary>
    /// True when a decision on <paramref name="listener"/> will be held: nothing matched, on a path
    /// that can hold (the forward proxy and the transparent listeners, not the DNS resolver). Such
    /// a decision is counted in <c>gateway_decisions_total</c> once, when the hold ends: by the
    /// decision after an approval, or by <see cref="CountUnapproved"/>.
    /// </summary>
    public bool Holds(string listener, in Decision decision, bool letsThrough, int port) =>
        _config.Enabled
        && !letsThrough
        && decision.Reason == DecisionReason.NoMatchingRule
        && port != 0
        && listener is ListenerKind.Forward or ListenerKind.TransparentTls or ListenerKind.TransparentHttp;

    /// <summary>Counts a held request that ends refused (rejected, timed out, not held, client gone, over budget) as the one decision it is.</summary>
    public void CountUnapproved(in EgressVerdict held) => _metrics.CountDecision(allowed: false, EgressDecider.ProxyKindOf(held.Listener));

    /// <summary>
    /// Holds the request of <paramref name="verdict"/> until it is answered, <c>holdFor</c> passes,
    /// or <paramref name="aborted"/> fires (the client left). Never throws for those.
    /// </summary>
    public async Task<ApprovalWait> WaitAsync(EgressVerdict verdict, CancellationToken aborted)
    {
        HoldStatus status = Pending.TryHold(verdict.Sandbox.Name, verdict.Host, verdict.Port, verdict.Proxy, verdict.Listener, out PendingApproval? pending);
        if (pending is null)
        {
            Log.Full(_logger, verdict.Sandbox.Name, verdict.Host, verdict.Port, Pending.MaxPerSandbox);
            CountUnapproved(in verdict);
            return new ApprovalWait(ApprovalOutcome.Full, null);
        }

        if (status == HoldStatus.Created)
        {
            Log.Held(_logger, pending.Id, verdict.Sandbox.Name, verdict.Host, verdict.Port, _config.HoldFor);
            _webhook.Notify(pending);
            Feed.Publish(ApprovalNotice.Pending(pending));
        }

        ApprovalOutcome outcome;
        try
        {
            outcome = await pending.Outcome.WaitAsync(aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            outcome = ApprovalOutcome.ClientGone;
        }
        finally
        {
            Pending.Leave(pending);
        }

        if (outcome != ApprovalOutcome.Approved)
        {
            CountUnapproved(in verdict);
        }

        return new ApprovalWait(outcome, pending.Id);
    }

    /// <summary>
    /// The verdict to record for a wait that did not end in an approval: <c>rejected</c>,
    /// <c>approval-timeout</c>, or the original <c>no-match</c> (full, client gone).
    /// </summary>
    public static EgressVerdict Conclude(in EgressVerdict held, in ApprovalWait wait) => wait.Outcome switch
    {
        ApprovalOutcome.Rejected => held with { Reason = EgressReason.Rejected },
        ApprovalOutcome.TimedOut => held with { Reason = EgressReason.ApprovalTimeout },
        _ => held,
    };

    /// <summary>
    /// The second decision after an approval: recorded as <c>approved</c> when it lets the request
    /// through, its duration counted from the first (the wait is part of what the client saw).
    /// A deny added meanwhile still wins: that verdict is returned as it is.
    /// </summary>
    public static EgressVerdict AsApproved(in EgressVerdict redecided, in EgressVerdict held) =>
        redecided.LetsThrough
            ? redecided with { Reason = EgressReason.Approved, Started = held.Started }
            : redecided with { Started = held.Started };

    /// <summary>The body of the 403 for a wait that ended without an approval.</summary>
    public string RefusalBody(in EgressVerdict verdict, in ApprovalWait wait) =>
        ApprovalMessage.For(verdict.Host, verdict.Port, verdict.Sandbox.Name, wait, _config.HoldFor, Pending.MaxPerSandbox);

    public void Dispose() => Pending.Dispose();

    private static partial class Log
    {
        [LoggerMessage(3310, LogLevel.Information, "{Sandbox} asks for {Host}:{Port}: held for approval as {Id} for {HoldFor}; `gateway policy approve {Id}` lets it through")]
        public static partial void Held(ILogger logger, string id, string sandbox, string host, int port, TimeSpan holdFor);

        [LoggerMessage(3311, LogLevel.Information, "{Sandbox} asks for {Host}:{Port}: not held, it already has {Max} pending approvals (policy.ask.maxPendingPerSandbox) or as many connections waiting on this host as one approval holds; refused")]
        public static partial void Full(ILogger logger, string sandbox, string host, int port, int max);

        [LoggerMessage(3312, LogLevel.Information, "pending approval {Id} ({Sandbox} for {Host}:{Port}) {Outcome}")]
        public static partial void Answered(ILogger logger, string id, string sandbox, string host, int port, string outcome);
    }
}

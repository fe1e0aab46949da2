using System.Diagnostics;
using System.Text;
using Gateway.Approvals;
using Gateway.Dialing;
using Gateway.Listeners;
using Gateway.Metrics;
using Gateway.Policy;
using Gateway.Sandboxes;
using Microsoft.Extensions.Logging;
using PolicyCompiler.Compilation;
using PolicyCompiler.Hosts;

namespace Gateway.Decisions;

/// <summary>
/// The one place that turns what a sandbox asked for into a verdict (DESIGN.md, "The data path"):
/// identify the sandbox → authorise its token → canonicalise → <see cref="PolicySnapshot.Decide(ReadOnlySpan{byte}, int, KitSet)"/>
/// → report mode → plan (dial permissions, interception, kit route). Every entry point calls it;
/// refusals made before the lookup (<see cref="Refuse"/>) are verdicts too. An exception while
/// deciding is a refusal with reason <c>policy-error</c>, counted in
/// <c>gateway_errors_total{kind="policy_error"}</c>: never an allow, never a crash (fail closed).
/// Decision metrics are counted here; <see cref="EgressRecorder"/> writes the audit event.
/// </summary>
internal sealed partial class EgressDecider(
    LivePolicy policy,
    SandboxRegistry sandboxes,
    PolicyEnforcement enforcement,
    IPolicyLookup lookup,
    GatewayMetrics metrics,
    ILogger<EgressDecider> logger,
    AskMode? ask = null)
{
    /// <summary>The longest host text a refusal carries into the audit log (a DNS name's limit).</summary>
    private const int MaxRawHost = 255;

    private readonly bool _direct = lookup is SnapshotLookup;

    /// <summary>Decides <paramref name="request"/>: a verdict to answer and record, allowed or not.</summary>
    public EgressVerdict Decide(scoped in EgressRequest request)
    {
        Sandbox? sandbox = sandboxes.Identify(request.Remote);
        if (sandbox is null)
        {
            return Refusal(Sandbox.Unknown, in request, EgressReason.UnknownSandbox, 403, ErrorKind.UnknownSandbox);
        }

        if (request.CheckToken && !sandbox.Authorizes(request.ProxyAuthorization))
        {
            return Refusal(sandbox, in request, EgressReason.ProxyAuth, 407, ErrorKind.ProxyAuthentication);
        }

        // Everything after the sandbox is known runs inside the try, in a method of its own: the
        // hot path then carries no exception-handling region, whose locals the JIT keeps on the stack.
        try
        {
            return Evaluate(sandbox, in request);
        }
        catch (Exception e)
        {
            // Fail closed: whatever went wrong, this request is refused and the daemon goes on.
            Log.PolicyFailed(logger, sandbox.Name, request.Listener, e);
            return Refusal(sandbox, in request, EgressReason.PolicyError, 403, ErrorKind.PolicyError);
        }
    }

    private EgressVerdict Evaluate(Sandbox sandbox, scoped in EgressRequest request)
    {
        Decision decision;
        int port = request.Port;
        string? host = null;
        HostKind kind = HostKind.Name;
        bool wouldBlock = false;
        EgressPlan plan = default;
        PolicyGeneration generation = policy.Generation;
        PolicySnapshot snapshot = generation.Snapshot;
        long decideStarted = Stopwatch.GetTimestamp();
        KitSet kits = SandboxRegistry.KitsOf(sandbox, snapshot);
        decision = Lookup(snapshot, in request, port, kits);
        if (request.FallbackPort != 0 && !decision.IsAllowed && decision.Reason != DecisionReason.InvalidHost)
        {
            Decision fallback = Lookup(snapshot, in request, request.FallbackPort, kits);
            if (fallback.IsAllowed)
            {
                decision = fallback;
                port = request.FallbackPort;
            }
        }

        long decideTicks = Stopwatch.GetTimestamp() - decideStarted;
        if (decision.Reason is not (DecisionReason.InvalidHost or DecisionReason.InvalidPort))
        {
            // The decision succeeded, so the host canonicalises: the name (or IP text) that is dialled and logged.
            host = request.HostText is { } text
                ? HostCanonicalizer.Canonicalize(text, out kind, out _)
                : HostCanonicalizer.Canonicalize(request.Host, out kind, out _);
            wouldBlock = enforcement.WouldBlock(in decision);
            if (decision.IsAllowed || wouldBlock)
            {
                plan = new EgressPlan(
                    DialPermissions.FromDecision(in decision),
                    request.MayIntercept && (!request.NameOnly || kind == HostKind.Name) ? generation.Interception.Find(kits, host!, port) : null,
                    snapshot.ProxyFor(sandbox.Kits));
            }

            if (ask is not null && ask.Holds(request.Listener, in decision, decision.IsAllowed || wouldBlock, port))
            {
                // Counted once, when the hold ends: an approved request is one allowed decision, not a blocked and an allowed one.
                metrics.ObserveDecisionDuration(decideTicks);
            }
            else if (!request.NameOnly || kind == HostKind.Name)
            {
                metrics.RecordDecision(decision.IsAllowed || wouldBlock, ProxyKindOf(request.Listener), decideTicks, wouldBlock);
            }
        }

        if (host is null)
        {
            EgressVerdict invalid = Refusal(sandbox, in request, decision.Reason == DecisionReason.InvalidHost ? EgressReason.InvalidHost : EgressReason.Malformed, 400, ErrorKind.MalformedRequest);
            return invalid with { Decision = decision }; // its HostError says what was wrong, for the answer
        }

        if (request.NameOnly && kind != HostKind.Name)
        {
            // An SNI must be a DNS name (RFC 6066 §3): an IP literal gives nothing to dial by name.
            return Refusal(sandbox, in request, EgressReason.InvalidHost, 400, ErrorKind.MalformedRequest);
        }

        bool letsThrough = decision.IsAllowed || wouldBlock;
        return new EgressVerdict
        {
            Sandbox = sandbox,
            Host = host,
            Port = port,
            Listener = request.Listener,
            Reason = decision.Reason == DecisionReason.NoMatchingRule ? EgressReason.NoMatch : EgressReason.Rule,
            Decision = decision,
            LetsThrough = letsThrough,
            WouldBlock = wouldBlock,
            Status = letsThrough ? 200 : 403,
            Plan = plan,
            Started = request.Started,
        };
    }

    /// <summary>
    /// A refusal made before any policy lookup (connection limit, header timeout, malformed head,
    /// non-HTTP traffic): the sandbox is identified when it can be, the error kind counted.
    /// </summary>
    public EgressVerdict Refuse(scoped in EgressRequest request, string reason, int status, ErrorKind? error)
    {
        Sandbox sandbox = sandboxes.Identify(request.Remote) ?? Sandbox.Unknown;
        return Refusal(sandbox, in request, reason, status, error);
    }

    /// <summary>
    /// True when <paramref name="name"/> (an SNI, a Host header) canonicalises to the host
    /// <paramref name="verdict"/> decided: what invariant 4 asks of every name after the first.
    /// </summary>
    public static bool SameHost(in EgressVerdict verdict, string name) =>
        string.Equals(HostCanonicalizer.Canonicalize(name, out _, out _), verdict.Host, StringComparison.Ordinal);

    // The daemon's own lookup is called directly (no interface dispatch); a test's seam through the interface.
    private Decision Lookup(PolicySnapshot snapshot, scoped in EgressRequest request, int port, KitSet kits)
    {
        if (_direct)
        {
            return request.HostText is { } direct ? snapshot.Decide(direct.AsSpan(), port, kits) : snapshot.Decide(request.Host, port, kits);
        }

        return request.HostText is { } text ? lookup.Decide(snapshot, text.AsSpan(), port, kits) : lookup.Decide(snapshot, request.Host, port, kits);
    }

    private EgressVerdict Refusal(Sandbox sandbox, scoped in EgressRequest request, string reason, int status, ErrorKind? error)
    {
        if (error is { } kind)
        {
            metrics.RecordError(kind);
        }

        return new EgressVerdict
        {
            Sandbox = sandbox,
            Host = RawHost(in request),
            Port = request.Port,
            Listener = request.Listener,
            Reason = reason,
            Status = status,
            Rule = reason,
            RuleId = reason,
            Started = request.Started,
        };
    }

    // Strings only on refusals: the audit log names what was asked for, as it was asked.
    private static string RawHost(scoped in EgressRequest request)
    {
        if (request.HostText is { Length: > 0 } text)
        {
            return text.Length <= MaxRawHost ? text : text[..MaxRawHost];
        }

        ReadOnlySpan<byte> host = request.Host;
        return host.IsEmpty ? EgressVerdict.NoHost : Encoding.UTF8.GetString(host.Length <= MaxRawHost ? host : host[..MaxRawHost]);
    }

    /// <summary>The audit <c>proxy</c> of a listener: forward, transparent or dns.</summary>
    public static string ProxyOf(string listener) => listener switch
    {
        ListenerKind.Forward => Audit.AuditEvent.ForwardProxy,
        ListenerKind.Dns => Audit.AuditEvent.DnsProxy,
        _ => Audit.AuditEvent.TransparentProxy,
    };

    /// <summary>The <c>proxy</c> label of a listener's decisions.</summary>
    public static ProxyKind ProxyKindOf(string listener) => listener switch
    {
        ListenerKind.Forward => ProxyKind.Forward,
        ListenerKind.Dns => ProxyKind.Dns,
        _ => ProxyKind.Transparent,
    };

    private static partial class Log
    {
        [LoggerMessage(2600, LogLevel.Error, "{Sandbox}: deciding a request on {Listener} failed; refused (fail closed, reason policy-error)")]
        public static partial void PolicyFailed(ILogger logger, string sandbox, string listener, Exception exception);
    }
}

using Gateway.Dialing;
using Gateway.Sandboxes;
using PolicyCompiler.Compilation;

namespace Gateway.Decisions;

/// <summary>
/// One decision of <see cref="EgressDecider"/>, as a value: who asked (<see cref="Sandbox"/>),
/// for what (<see cref="Host"/>, <see cref="Port"/>), on which listener, what was decided and why,
/// and the plan for going on. The entry point turns it into its wire answer and hands it, with the
/// outcome, to <see cref="EgressRecorder"/> exactly once. Refusals made before any policy lookup
/// (unknown sandbox, bad token, malformed head …) are verdicts too, so that they are recorded alike.
/// </summary>
internal readonly struct EgressVerdict
{
    /// <summary>The host of a verdict made before a host was read.</summary>
    public const string NoHost = "-";

    /// <summary>The sandbox that asked; <see cref="Sandboxes.Sandbox.Unknown"/> when its address belongs to none.</summary>
    public required Sandbox Sandbox { get; init; }

    /// <summary>The canonical host decided; the raw text for an invalid host; <see cref="NoHost"/> when none was read.</summary>
    public required string Host { get; init; }

    /// <summary>The destination port; 0 when none applies (a DNS query refused before a name).</summary>
    public required int Port { get; init; }

    /// <summary>The listener the request came in on (<see cref="Listeners.ListenerKind"/>: forward, transparentTls, transparentHttp, dns).</summary>
    public required string Listener { get; init; }

    /// <summary>The audit <c>proxy</c> field: forward, transparent, network (<see cref="NonHttp"/>) or dns.</summary>
    public string Proxy => NonHttp ? Audit.AuditEvent.NetworkProxy : EgressDecider.ProxyOf(Listener);

    /// <summary>True for a connection to a transparent listener that spoke neither TLS nor HTTP (<c>proxy: network</c>).</summary>
    public bool NonHttp { get; init; }

    /// <summary>One of <see cref="EgressReason"/>.</summary>
    public required string Reason { get; init; }

    /// <summary>True when a policy rule (or no rule) decided, not a refusal made before the lookup (unknown source, token, invalid host …).</summary>
    public bool DecidedByPolicy => Reason is EgressReason.Rule or EgressReason.NoMatch;

    /// <summary>The policy's decision; default (no rule, blocked) for a refusal made before the lookup.</summary>
    public Decision Decision { get; init; }

    /// <summary>True when the traffic goes on: allowed, or a policy denial report mode lets through.</summary>
    public bool LetsThrough { get; init; }

    /// <summary>True when the policy denied it and report mode let it through (<c>wouldBlock</c>).</summary>
    public bool WouldBlock { get; init; }

    /// <summary>The status a refusal answers with on HTTP paths (403, 400, 407, 408, 503 …); 200 when it goes on.</summary>
    public int Status { get; init; }

    // Set only where no policy rule decided (refusals, L7 rules); read from the decision otherwise.
    // Fewer references stored per verdict: each is a checked write barrier on the data path.
    private readonly string? _rule;
    private readonly string? _ruleId;

    /// <summary>The audit <c>rule</c>: the deciding rule's source, or the reason of a refusal no rule made.</summary>
    public string Rule
    {
        get => _rule ?? Decision.Source;
        init => _rule = value;
    }

    /// <summary>The audit <c>ruleId</c>.</summary>
    public string RuleId
    {
        get => _ruleId ?? Decision.RuleId;
        init => _ruleId = value;
    }

    /// <summary>What going on may do; empty for a refusal.</summary>
    public EgressPlan Plan { get; init; }

    /// <summary>When the request arrived (<see cref="System.Diagnostics.Stopwatch"/> timestamp): the audit duration runs from here.</summary>
    public long Started { get; init; }

    /// <summary>The dial permissions of <see cref="Plan"/>.</summary>
    public DialPermissions Permissions => Plan.Permissions;
}

namespace Gateway.Audit;

/// <summary>
/// One decision, as the audit log records it (DESIGN.md, Audit log): what a sandbox tried to
/// reach, how, which rule decided, and what came of it. One JSON Lines record per event,
/// written by <see cref="AuditEventJson"/>.
/// </summary>
internal readonly record struct AuditEvent
{
    /// <summary>The only policy type.</summary>
    public const string NetworkType = "network";

    /// <summary><see cref="Proxy"/>: through the forward proxy (CONNECT or absolute-form).</summary>
    public const string ForwardProxy = "forward";

    /// <summary><see cref="Proxy"/>: redirected to a transparent listener (SNI or Host).</summary>
    public const string TransparentProxy = "transparent";

    /// <summary><see cref="Proxy"/>: non-HTTP traffic; always blocked.</summary>
    public const string NetworkProxy = "network";

    /// <summary><see cref="Proxy"/>: a query to the sandbox-facing resolver.</summary>
    public const string DnsProxy = "dns";

    /// <summary><see cref="Upstream"/>: the connection left through the customer's SOCKS5 proxy.</summary>
    public const string Socks5Upstream = "socks5";

    /// <summary><see cref="Decision"/> of a connection or request let through.</summary>
    public const string Allowed = "allowed";

    /// <summary><see cref="Decision"/> of a connection or request refused.</summary>
    public const string Blocked = "blocked";

    private readonly string? _type;

    /// <summary>When it was decided, from the daemon's <see cref="TimeProvider"/> (UTC).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The sandbox's name ("host" for unregistered loopback clients).</summary>
    public required string Sandbox { get; init; }

    /// <summary>The policy type: <see cref="NetworkType"/> unless set.</summary>
    public string Type
    {
        get => _type ?? NetworkType;
        init => _type = string.Equals(value, NetworkType, StringComparison.Ordinal) ? null : value; // one representation of the default, so equal events compare equal
    }

    /// <summary>The canonical host that was decided (or the raw text when it was refused as invalid).</summary>
    public required string Host { get; init; }

    /// <summary>The destination port.</summary>
    public required int Port { get; init; }

    /// <summary>How the traffic left the sandbox: "forward", "transparent", "network" or "dns".</summary>
    public required string Proxy { get; init; }

    /// <summary>
    /// The listener it came in on: "forward", "transparentTls", "transparentHttp" or "dns"; null on
    /// a refusal-summary line and on lines written before the field existed.
    /// </summary>
    public string? Listener { get; init; }

    /// <summary>
    /// Why it was decided so, from the closed set of <see cref="Decisions.EgressReason"/> (the README
    /// lists it): "rule", "no-match", "egress-guard", "proxy-auth" …; null on a refusal-summary line
    /// and on lines written before the field existed.
    /// </summary>
    public string? Reason { get; init; }

    /// <summary>The deciding rule's source as operators see it: "local", "kit:NAME", a group name, "default", "egress-guard".</summary>
    public required string Rule { get; init; }

    /// <summary>The deciding rule's id ("local:UUID", a group name, "no-match", …).</summary>
    public required string RuleId { get; init; }

    /// <summary><see cref="Allowed"/> or <see cref="Blocked"/>.</summary>
    public required string Decision { get; init; }

    /// <summary>True under <c>policy.mode: report</c> when the policy blocked but the traffic was let through.</summary>
    public bool WouldBlock { get; init; }

    /// <summary>The status the client saw (403, 502, 200 …); 0 when none applies (a TLS alert, a closed connection).</summary>
    public int Status { get; init; }

    /// <summary>Bytes received from the sandbox.</summary>
    public long BytesIn { get; init; }

    /// <summary>Bytes sent to the sandbox.</summary>
    public long BytesOut { get; init; }

    /// <summary>From the first byte to the end of the connection or request, in milliseconds.</summary>
    public long DurationMs { get; init; }

    /// <summary>The name of the credential source injected, never its value; null when none.</summary>
    public string? Injected { get; init; }

    /// <summary>
    /// <see cref="Socks5Upstream"/> when the dial went through the SOCKS5 proxy (also when the
    /// proxy then failed it); null, and absent from the JSON line, for a direct dial and for
    /// traffic never dialled (blocked). Absent rather than "direct" so lines written without a
    /// proxy are unchanged and the field's presence alone tells SOCKS5 traffic apart.
    /// </summary>
    public string? Upstream { get; init; }

    /// <summary>
    /// On a summary line only (<see cref="AuditRefusalLimiter.SummaryRule"/>): how many events of
    /// <see cref="Sandbox"/> the per-sandbox refusal rate kept out of the file since the last
    /// summary; 0, and absent from the JSON line, on every decision.
    /// </summary>
    public long Suppressed { get; init; }

    /// <summary>For an intercepted request: its method; null, and absent from the JSON line, for a connection.</summary>
    public string? Method { get; init; }

    /// <summary>For an intercepted request: its path with the query string dropped (it may carry secrets); null otherwise.</summary>
    public string? Path { get; init; }

    /// <summary>True when <see cref="Decision"/> is <see cref="Blocked"/>.</summary>
    public bool IsBlocked => string.Equals(Decision, Blocked, StringComparison.Ordinal);
}

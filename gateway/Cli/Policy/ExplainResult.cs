namespace Gateway.Cli.Policy;

/// <summary>
/// `policy explain --json`: the decision and every rule that matched; <c>configuration</c> says whose
/// policy answered (the running gateway, a --config file, or the built-in defaults), and <c>next</c>
/// the command that would change the answer, when there is one. <c>scope</c> is the deciding rule's
/// ("all", or "sandbox:NAME" for a rule scoped to one sandbox; "all" when no rule decided) and
/// <c>expiresAt</c> when it stops deciding (null: never).
/// </summary>
internal sealed record ExplainResult(
    string Host,
    string CanonicalHost,
    int Port,
    string Sandbox,
    IReadOnlyList<string> Kits,
    string Decision,
    string Reason,
    string RuleId,
    string Source,
    string? Pattern,
    IReadOnlyList<ExplainMatch> Matches,
    string Configuration,
    string? Next,
    string Scope,
    DateTimeOffset? ExpiresAt);

/// <summary>A rule pattern that matched the host; <c>scope</c> as in <see cref="ExplainResult"/>.</summary>
internal sealed record ExplainMatch(string RuleId, string Source, string Decision, string Pattern, string Scope);

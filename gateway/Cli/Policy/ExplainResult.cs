namespace Gateway.Cli.Policy;

/// <summary>`policy explain --json`: the decision and every rule that matched.</summary>
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
    IReadOnlyList<ExplainMatch> Matches);

/// <summary>A rule pattern that matched the host.</summary>
internal sealed record ExplainMatch(string RuleId, string Source, string Decision, string Pattern);

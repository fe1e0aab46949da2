namespace Gateway.Cli.Policy;

/// <summary>
/// `policy explain --json`: the decision and every rule that matched; <c>configuration</c> says whose
/// policy answered (the running gateway, a --config file, or the built-in defaults), and <c>next</c>
/// the command that would change the answer, when there is one.
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
    string? Next);

/// <summary>A rule pattern that matched the host.</summary>
internal sealed record ExplainMatch(string RuleId, string Source, string Decision, string Pattern);

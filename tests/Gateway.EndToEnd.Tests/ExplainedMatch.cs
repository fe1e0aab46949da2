namespace Gateway.EndToEnd.Tests;

/// <summary>One element of explain's <c>matches</c>.</summary>
internal sealed record ExplainedMatch(string RuleId, string Source, string Decision, string Pattern);

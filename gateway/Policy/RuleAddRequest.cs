namespace Gateway.Policy;

/// <summary>
/// <c>POST /policy/rules</c>: what <c>gateway policy allow|deny network PATTERNS [--sandbox] [--for]</c> asks.
/// </summary>
/// <param name="Decision">"allow" or "deny".</param>
/// <param name="Resources">Comma-separated patterns, as the CLI takes them.</param>
/// <param name="Sandbox">The one sandbox the rule applies to, or null for every sandbox.</param>
/// <param name="For">How long the rule decides (<c>90s</c>, <c>2h</c>, <c>1h30m</c>), or null for good.</param>
internal sealed record RuleAddRequest(string Decision, string Resources, string? Sandbox = null, string? For = null);

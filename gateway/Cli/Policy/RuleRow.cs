namespace Gateway.Cli.Policy;

/// <summary>One line of `policy ls`; also its JSON shape.</summary>
/// <param name="Id">"local:UUID", a built-in group name, or "kit:NAME/allow|deny".</param>
/// <param name="Type">"network".</param>
/// <param name="Decision">"allow" or "deny".</param>
/// <param name="Resources">Canonical patterns.</param>
/// <param name="Source">"local", the group name, or "kit:NAME".</param>
internal sealed record RuleRow(string Id, string Type, string Decision, IReadOnlyList<string> Resources, string Source);

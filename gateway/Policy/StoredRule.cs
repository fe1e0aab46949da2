namespace Gateway.Policy;

/// <summary>A local rule as persisted in the state directory.</summary>
/// <param name="Id">A UUID, without the "local:" prefix.</param>
/// <param name="Type">Always "network" for now.</param>
/// <param name="Decision">"allow" or "deny".</param>
/// <param name="Resources">Canonical pattern texts.</param>
/// <param name="CreatedAt">When the rule was added.</param>
internal sealed record StoredRule(string Id, string Type, string Decision, IReadOnlyList<string> Resources, DateTimeOffset CreatedAt);

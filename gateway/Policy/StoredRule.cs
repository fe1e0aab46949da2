using System.Text.Json.Serialization;

namespace Gateway.Policy;

/// <summary>A local rule as persisted in the state directory.</summary>
/// <param name="Id">A UUID, without the "local:" prefix.</param>
/// <param name="Type">Always "network" for now.</param>
/// <param name="Decision">"allow" or "deny".</param>
/// <param name="Resources">Canonical pattern texts.</param>
/// <param name="CreatedAt">When the rule was added.</param>
/// <param name="Sandbox">
/// The one sandbox the rule applies to, or null for every sandbox. Left out of the file when null,
/// so a store without scoped rules stays readable by a gateway that predates them, and one with
/// them is refused by it (unknown fields are) rather than read as global rules.
/// </param>
/// <param name="ExpiresAt">When the rule stops deciding, or null; left out of the file when null, as <paramref name="Sandbox"/>.</param>
internal sealed record StoredRule(
    string Id,
    string Type,
    string Decision,
    IReadOnlyList<string> Resources,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sandbox = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ExpiresAt = null)
{
    /// <summary>True when the rule no longer decides at <paramref name="now"/>.</summary>
    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expires && expires <= now;

    /// <summary>True when the rule applies to exactly the scope <paramref name="sandbox"/> (null: every sandbox).</summary>
    public bool HasScope(string? sandbox) => string.Equals(Sandbox, sandbox, StringComparison.Ordinal);
}

using System.Globalization;
using System.Text.Json.Serialization;

namespace Gateway.Cli.Policy;

/// <summary>One line of `policy ls`; also its JSON shape.</summary>
/// <param name="Id">"local:UUID", a built-in group name, or "kit:NAME/allow|deny".</param>
/// <param name="Type">"network".</param>
/// <param name="Decision">"allow" or "deny".</param>
/// <param name="Resources">Canonical patterns.</param>
/// <param name="Source">"local", the group name, or "kit:NAME".</param>
/// <param name="Scope">"all", or "sandbox:NAME" for a rule of one sandbox.</param>
/// <param name="ExpiresAt">When the rule stops deciding (UTC), or null for never.</param>
internal sealed record RuleRow(
    string Id, string Type, string Decision, IReadOnlyList<string> Resources, string Source, string Scope, DateTimeOffset? ExpiresAt)
{
    /// <summary>The EXPIRES cell: "never", or the UTC time to the second.</summary>
    [JsonIgnore]
    public string ExpiresCell => ExpiresAt is { } expires ? FormatExpiry(expires) : "never";

    /// <summary>An expiry as operators read it everywhere: UTC, ISO 8601, to the second.</summary>
    public static string FormatExpiry(DateTimeOffset expires) =>
        expires.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

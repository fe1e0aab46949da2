namespace Gateway.Policy;

/// <summary>
/// What `gateway policy …` persists: the chosen default (null until one is chosen), the local
/// rules in the order they were added, and the kits referenced.
/// </summary>
/// <param name="Version">File format version.</param>
/// <param name="Default">"allow-all", "balanced", "deny-all", or null when none was chosen.</param>
/// <param name="Rules">Local rules.</param>
/// <param name="Kits">Kit references.</param>
internal sealed record StoredPolicy(int Version, string? Default, IReadOnlyList<StoredRule> Rules, IReadOnlyList<KitReference> Kits)
{
    /// <summary>The current format version.</summary>
    public const int CurrentVersion = 1;

    /// <summary>A store nothing was written to yet.</summary>
    public static StoredPolicy Empty { get; } = new(CurrentVersion, null, [], []);
}

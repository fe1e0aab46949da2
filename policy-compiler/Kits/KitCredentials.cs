using System.Collections.Immutable;

namespace PolicyCompiler.Kits;

/// <summary>The <c>credentials</c> section of a kit.</summary>
/// <param name="Sources">Credential sources by id (ordinal comparison).</param>
public sealed record KitCredentials(ImmutableDictionary<string, KitCredentialSource> Sources)
{
    /// <summary>A kit that declares no credentials.</summary>
    public static KitCredentials Empty { get; } = new(ImmutableDictionary<string, KitCredentialSource>.Empty.WithComparers(StringComparer.Ordinal));
}

using System.Collections.Immutable;

namespace PolicyCompiler.Kits;

/// <summary>The <c>environment</c> section of a kit.</summary>
/// <param name="Variables">Literal variables set in the sandbox.</param>
/// <param name="ProxyManaged">
/// Variables that exist in the sandbox only as a placeholder; the gateway substitutes the real value,
/// read from a credential source's env list, in requests to bound hosts.
/// </param>
public sealed record KitEnvironment(ImmutableDictionary<string, string> Variables, ImmutableArray<string> ProxyManaged)
{
    /// <summary>A kit that declares no environment section.</summary>
    public static KitEnvironment Empty { get; } = new(ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal), []);
}
